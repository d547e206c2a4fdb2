using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Common;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Persistence;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// The one writer of the cluster zone. Per batch it recomposes the <see cref="ClusterService"/> record of
/// each Service a change touches (its spec, its slices, whether it is exposed) and recomputes the records of
/// the other owners a change touches (namespaces, pods, the apex; a Service's PTR records), before and after
/// the change; the difference is applied to the published entries of the names involved by reference counts
/// (<see cref="ClusterEntryDraft"/>), and a new <see cref="ClusterIndex"/> shares every untouched shard with
/// the previous one. The builder keeps no copy of a Service: its published record is its store. Slices are
/// kept as <see cref="StoredSlice"/> arrays. The "before" records of namespaces and pods are generated again
/// from the objects as they were, just before the first change of a batch alters an object they depend on.
/// Not thread-safe by design: one task feeds it (see <see cref="ClusterZoneComponent"/>).
/// </summary>
public sealed class ClusterZoneBuilder
{
    private const string StaticOwner = "static";

    private readonly KubernetesOptions _options;
    private readonly ClusterRecordGenerator _generator;
    private readonly ClusterServiceCodec _services;
    private readonly NamespaceExposure _exposure;
    private readonly LabelSelector? _serviceSelector;
    private readonly HashSet<ResourceKind> _expectedKinds;
    private readonly HashSet<ResourceKind> _syncedKinds = new();

    /// <summary>Services changed in this batch ("namespace/name"), null when deleted; the rest are in the published index.</summary>
    private readonly Dictionary<string, ServiceObject?> _pendingServices = new(StringComparer.Ordinal);
    /// <summary>Services whose record is composed again at the next publish.</summary>
    private readonly HashSet<string> _dirtyServices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _serviceCountByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _slices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _slicesByService = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodObject> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamespaceObject> _namespaces = new(StringComparer.Ordinal);

    /// <summary>
    /// Owners (an object, a namespace, or the apex records) changed since the last publish, each with the records
    /// it had then: generated from the objects just before this batch first changed something they depend on.
    /// </summary>
    private readonly Dictionary<string, List<ClusterRecord>> _dirtyOwners = new(StringComparer.Ordinal);
    /// <summary>The apex records as last published: they depend on this host's addresses, which may change unseen.</summary>
    private List<ClusterRecord> _staticRecords = new();
    private readonly byte[][] _apexWires;

    private ClusterIndex _published;
    private uint _serial = 1;

    /// <summary>Slice changes (service kind, trigger time) applied since the last publish, for the programming-latency metric.</summary>
    private readonly List<(string Kind, DateTimeOffset TriggeredAt)> _programming = new();

    /// <summary>Where DNS programming latency is recorded (null: not measured).</summary>
    public KubernetesMetrics? Metrics { get; init; }

    /// <summary>The clock for programming latency (tests may pin it).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ClusterZoneBuilder(KubernetesOptions options, IEnumerable<ResourceKind> expectedKinds)
    {
        _options = options;
        _generator = new ClusterRecordGenerator(options);
        _services = new ClusterServiceCodec(options);
        _exposure = new NamespaceExposure(options);
        _serviceSelector = options.Labels is { } labels ? LabelSelector.Parse(labels) : null;
        _expectedKinds = expectedKinds.ToHashSet();
        _apexWires = options.Zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _published = ClusterIndex.Empty(BuildApexes(_serial));
        MarkDirty(StaticOwner);
        Publish();
    }

    /// <summary>The latest published snapshot.</summary>
    public ClusterIndex Current => Volatile.Read(ref _published);

    /// <summary>Raised when an owner's records could not be generated (it is skipped); for logging.</summary>
    public event Action<string, Exception>? GenerateFailed;

    /// <summary>Raised after each publish, on the writer's thread (readiness, metrics).</summary>
    public event Action<ClusterIndex>? Published;

    public bool IsSynced => _expectedKinds.IsSubsetOf(_syncedKinds);

    /// <summary>Entries in each part of the object store (tests: nothing is kept for objects that are gone).</summary>
    internal int StoredEntries => _published.ServiceCount + _slices.Count + _slicesByService.Count + _serviceCountByNamespace.Count
        + _pods.Count + _namespaces.Count + _dirtyOwners.Count + _pendingServices.Count + _dirtyServices.Count;

    /// <summary>The objects as published, for the snapshot; on the writer's thread only, after a publish.</summary>
    internal ClusterStateFile.ClusterObjects CopyObjects() =>
        new(_published.Services().Select(ClusterServiceCodec.Decode).ToArray(),
            _slices.Select(s => StoredSlice.Decode(s.Key, s.Value)).ToArray(), _pods.Values.ToArray(), _namespaces.Values.ToArray());

    /// <summary>Applies one change to the object store; the records follow at the next <see cref="Publish"/>.</summary>
    public void Apply(ClusterChange change)
    {
        switch (change.Type)
        {
            case ChangeType.Synced:
                _syncedKinds.Add(change.Kind);
                return;
            case ChangeType.Upsert when change.Object is null:
                return;
        }
        switch (change.Kind)
        {
            case ResourceKind.Service:
                ApplyService(change);
                break;
            case ResourceKind.EndpointSlice:
                ApplySlice(change);
                break;
            case ResourceKind.Pod:
                ApplyPod(change);
                break;
            case ResourceKind.Namespace:
                ApplyNamespace(change);
                break;
        }
    }

    private void ApplyService(ClusterChange change)
    {
        if (ClusterServiceCodec.KeyOf(change.Key) is null)
        {
            return; // not a DNS name: such a Service has no names
        }
        var service = change.Type == ChangeType.Upsert ? change.Object as ServiceObject : null;
        string ns = change.Key[..change.Key.IndexOf('/')];
        // Owners whose records depend on what changes are marked first, while the store is as published.
        MarkDirty(NamespaceOwner(ns));
        if (change.Key == "kube-system/kube-dns")
        {
            MarkDirty(StaticOwner);
        }
        bool existed = _pendingServices.TryGetValue(change.Key, out var pending) ? pending is not null : !PublishedService(change.Key).IsNull;
        _dirtyServices.Add(change.Key);
        _pendingServices[change.Key] = service;
        if (existed != service is not null)
        {
            int count = _serviceCountByNamespace.GetValueOrDefault(ns) + (existed ? -1 : 1);
            if (count > 0)
            {
                _serviceCountByNamespace[ns] = count;
            }
            else
            {
                _serviceCountByNamespace.Remove(ns);
            }
        }
    }

    /// <summary>A Service as it is now: changed in this batch, else as published (decoded from its record).</summary>
    private ServiceObject? CurrentService(string key)
    {
        if (_pendingServices.TryGetValue(key, out var pending))
        {
            return pending;
        }
        var record = PublishedService(key);
        return record.IsNull ? null : ClusterServiceCodec.Decode(record);
    }

    private ClusterService PublishedService(string key) =>
        ClusterServiceCodec.KeyOf(key) is { } wireKey ? _published.FindService(wireKey) : default;

    private void ApplySlice(ClusterChange change)
    {
        var slice = change.Type == ChangeType.Upsert ? change.Object as EndpointSliceObject : null;
        if (_slices.Remove(change.Key, out var previous) && StoredSlice.ServiceName(previous) is { } previousService)
        {
            var previousKey = change.Key[..change.Key.IndexOf('/')] + "/" + previousService;
            _dirtyServices.Add(previousKey);
            RemoveSlice(previousKey, change.Key);
        }
        if (slice?.ServiceName is { } serviceName)
        {
            var serviceKey = slice.Namespace + "/" + serviceName;
            _dirtyServices.Add(serviceKey);
            _slices[change.Key] = StoredSlice.Encode(slice);
            AddSlice(serviceKey, change.Key);
            // Only live changes count: the first list (or a snapshot) replays old trigger times.
            if (Metrics is not null && IsSynced && slice.LastChangeTriggerTime is { } triggeredAt && CurrentService(serviceKey) is { } service)
            {
                _programming.Add((ServiceKind(service), triggeredAt));
            }
        }
    }

    private void ApplyPod(ClusterChange change)
    {
        MarkDirty(PodOwner(change.Key));
        _pods.Remove(change.Key);
        if (change.Type == ChangeType.Upsert && change.Object is PodObject pod)
        {
            _pods[change.Key] = pod;
        }
    }

    private void ApplyNamespace(ClusterChange change)
    {
        MarkDirty(NamespaceOwner(change.Key));
        if (_exposure.SelectsByLabels)
        {
            // Labels decide exposure: every Service and pod of the namespace may appear or vanish.
            var label = System.Text.Encoding.ASCII.GetBytes(change.Key);
            foreach (var service in _published.Services())
            {
                if (service.NamespaceLabel.SequenceEqual(label))
                {
                    _dirtyServices.Add(change.Key + "/" + System.Text.Encoding.ASCII.GetString(service.NameLabel));
                }
            }
            foreach (var pending in _pendingServices.Keys)
            {
                if (pending.StartsWith(change.Key + "/", StringComparison.Ordinal))
                {
                    _dirtyServices.Add(pending);
                }
            }
            foreach (var pod in _pods.Values)
            {
                if (pod.Namespace == change.Key)
                {
                    MarkDirty(PodOwner(pod.Namespace + "/" + pod.Name));
                }
            }
        }
        _namespaces.Remove(change.Key);
        if (change.Type == ChangeType.Upsert && change.Object is NamespaceObject ns)
        {
            _namespaces[change.Key] = ns;
        }
    }

    private static string ServiceKind(ServiceObject service) =>
        !service.IsHeadless ? KubernetesMetrics.ClusterIp
        : service.HasSelector ? KubernetesMetrics.HeadlessWithSelector
        : KubernetesMetrics.HeadlessWithoutSelector;

    private void RecordProgrammingLatency()
    {
        if (Metrics is null || _programming.Count == 0)
        {
            return;
        }
        var now = Time.GetUtcNow();
        foreach (var (kind, triggeredAt) in _programming)
        {
            Metrics.Observe(kind, now - triggeredAt);
        }
        _programming.Clear();
    }

    /// <summary>
    /// Marks an owner as changed in this batch. The first time, its records as published are generated from the
    /// objects now, before the change: <see cref="Publish"/> withdraws them and adds the new ones.
    /// </summary>
    private void MarkDirty(string owner)
    {
        if (_dirtyOwners.ContainsKey(owner))
        {
            return;
        }
        var published = new List<ClusterRecord>();
        if (owner == StaticOwner)
        {
            published.AddRange(_staticRecords);
        }
        else
        {
            Generate(owner, published, reportFailure: false);
        }
        _dirtyOwners[owner] = published;
    }

    private static string NamespaceOwner(string name) => "ns:" + name;

    private static string PodOwner(string key) => "pod:" + key;

    /// <summary>
    /// Removes a slice from its Service's list; an emptied list goes too (Services come and go, e.g. per CI run).
    /// Arrays, not sets: a Service has a slice or a few, and a set per Service costs more than its slices' keys.
    /// </summary>
    private void RemoveSlice(string serviceKey, string sliceKey)
    {
        if (_slicesByService.TryGetValue(serviceKey, out var keys) && Array.IndexOf(keys, sliceKey) is int at and >= 0)
        {
            if (keys.Length == 1)
            {
                _slicesByService.Remove(serviceKey);
            }
            else
            {
                _slicesByService[serviceKey] = [.. keys.AsSpan(0, at), .. keys.AsSpan(at + 1)];
            }
        }
    }

    private void AddSlice(string serviceKey, string sliceKey)
    {
        var keys = _slicesByService.GetValueOrDefault(serviceKey, []);
        if (Array.IndexOf(keys, sliceKey) < 0)
        {
            _slicesByService[serviceKey] = [.. keys, sliceKey];
        }
    }

    /// <summary>
    /// <see cref="NamespaceExposure"/> over the store. A namespace exists through its object or its Services;
    /// <paramref name="inhabited"/> says the caller holds an object of the namespace (a Service, a pod).
    /// </summary>
    private bool IsNamespaceExposed(string name, bool inhabited)
    {
        var namespaceObject = _namespaces.GetValueOrDefault(name);
        return _exposure.IsExposed(name, namespaceObject, inhabited || namespaceObject is not null || _serviceCountByNamespace.ContainsKey(name));
    }

    /// <summary>
    /// Recomputes the records of every owner changed since the last publish and publishes a new snapshot.
    /// Returns false when nothing changed (no new snapshot).
    /// </summary>
    public bool Publish()
    {
        bool syncedChanged = IsSynced != _published.Synced;
        if (_dirtyOwners.Count == 0 && _dirtyServices.Count == 0 && !syncedChanged)
        {
            return false;
        }
        var drafts = new Dictionary<byte[], ClusterEntryDraft>(WireNameKeyComparer.Instance);
        var byDepth = new List<ClusterEntryDraft>[WireName.MaxLength];
        var serviceShards = PublishServices(Draft);
        foreach (var (owner, before) in _dirtyOwners)
        {
            var after = new List<ClusterRecord>();
            Generate(owner, after, reportFailure: true);
            if (owner == StaticOwner)
            {
                _staticRecords = after;
            }
            foreach (var record in before)
            {
                Draft(record.Name).Add(record.Type, record.Rdata, -1);
            }
            foreach (var record in after)
            {
                Draft(record.Name).Add(record.Type, record.Rdata, +1);
            }
        }
        _dirtyOwners.Clear();
        // Kept until the owners above are generated: the apex's NS addresses read the kube-dns Service.
        _pendingServices.Clear();

        // A name that appears or goes changes its parent's count of children, deepest names first, so that an
        // empty non-terminal exists exactly while something below it does.
        for (int depth = byDepth.Length - 1; depth > 0; depth--)
        {
            if (byDepth[depth] is not { } level)
            {
                continue;
            }
            foreach (var draft in level)
            {
                if (draft.Exists == draft.ExistedBefore || IsApex(draft.Name))
                {
                    continue;
                }
                var parent = draft.Name.AsSpan(draft.Name[0] + 1).ToArray();
                if (_generator.IsServed(parent))
                {
                    Draft(parent).Children += draft.Exists ? 1 : -1;
                }
            }
        }

        // Copy-on-write: a shard with changed names is copied from the published one and edited; the rest are shared.
        var shards = (ClusterNameTable[])_published.Shards.Clone();
        var copied = new bool[ClusterIndex.ShardCount];
        foreach (var draft in drafts.Values)
        {
            if (!draft.Exists && !draft.ExistedBefore)
            {
                continue;
            }
            int hash = ClusterNameTable.Hash(draft.Name);
            int shard = ClusterIndex.ShardOf(hash);
            if (!copied[shard])
            {
                shards[shard] = shards[shard].Clone();
                copied[shard] = true;
            }
            if (draft.Exists)
            {
                shards[shard].Set(draft.Encode(TtlOf), hash);
            }
            else
            {
                shards[shard].Remove(draft.Name, hash);
            }
        }
        _serial++;
        var index = new ClusterIndex(shards, serviceShards, BuildApexes(_serial), IsSynced, _serial);
        Volatile.Write(ref _published, index);
        Published?.Invoke(index);
        RecordProgrammingLatency();
        return true;

        ClusterEntryDraft Draft(byte[] name)
        {
            if (!drafts.TryGetValue(name, out var draft))
            {
                int hash = ClusterNameTable.Hash(name);
                draft = ClusterEntryDraft.Load(name, _published.Shards[ClusterIndex.ShardOf(hash)].Find(name, hash));
                drafts[name] = draft;
                (byDepth[draft.Depth] ??= new List<ClusterEntryDraft>()).Add(draft);
            }
            return draft;
        }
    }

    /// <summary>
    /// Composes the record of every Service changed in this batch into copies of the shards they fall in, and
    /// moves its PTR records from the published record's to the new one's.
    /// </summary>
    private ClusterNameTable[] PublishServices(Func<byte[], ClusterEntryDraft> draft)
    {
        var shards = (ClusterNameTable[])_published.ServiceShards.Clone();
        var copied = new bool[ClusterIndex.ShardCount];
        var records = new List<ClusterRecord>();
        foreach (var key in _dirtyServices)
        {
            var wireKey = ClusterServiceCodec.KeyOf(key);
            if (wireKey is null)
            {
                continue;
            }
            int hash = ClusterNameTable.Hash(wireKey);
            int shard = ClusterIndex.ShardOf(hash);
            var before = shards[shard].Find(wireKey, hash);
            var after = Compose(key, before);
            if (before is null && after is null)
            {
                continue;
            }
            records.Clear();
            if (before is not null)
            {
                _generator.ForService(new ClusterService(before), records);
                foreach (var record in records)
                {
                    draft(record.Name).Add(record.Type, record.Rdata, -1);
                }
            }
            records.Clear();
            if (after is not null)
            {
                _generator.ForService(new ClusterService(after), records);
                foreach (var record in records)
                {
                    draft(record.Name).Add(record.Type, record.Rdata, +1);
                }
            }
            if (!copied[shard])
            {
                shards[shard] = shards[shard].Clone();
                copied[shard] = true;
            }
            if (after is not null)
            {
                shards[shard].Set(after, hash);
            }
            else
            {
                shards[shard].Remove(wireKey, hash);
            }
        }
        _dirtyServices.Clear();
        return shards;
    }

    /// <summary>The record of one Service as its spec, slices and namespace now say; null when it is gone.</summary>
    private byte[]? Compose(string key, byte[]? published)
    {
        var service = _pendingServices.TryGetValue(key, out var pending) ? pending
            : published is null ? null : ClusterServiceCodec.Decode(new ClusterService(published));
        if (service is null)
        {
            return null;
        }
        try
        {
            var slices = _slicesByService.TryGetValue(key, out var sliceKeys)
                ? sliceKeys.Order(StringComparer.Ordinal).Select(k => StoredSlice.Decode(k, _slices[k])).ToArray()
                : [];
            bool exposed = IsNamespaceExposed(service.Namespace, inhabited: true) && (_serviceSelector is null || _serviceSelector.Matches(service.Labels));
            return _services.Compose(service, slices, exposed, keepLabels: _serviceSelector is not null);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // One object we cannot turn into records must not stop every later publish: it simply has none.
            GenerateFailed?.Invoke("svc:" + key, exception);
            return null;
        }
    }

    private uint TtlOf(RecordType type) => type == RecordType.TXT ? KubernetesOptions.DnsVersionTtl : _options.Ttl;

    /// <summary>The records of one owner from the objects as they are now; none when it cannot be generated.</summary>
    private void Generate(string owner, List<ClusterRecord> records, bool reportFailure)
    {
        try
        {
            GenerateRecords(owner, records);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // One object we cannot turn into records must not stop every later publish: it simply has none.
            records.Clear();
            if (reportFailure)
            {
                GenerateFailed?.Invoke(owner, exception);
            }
        }
    }

    private void GenerateRecords(string owner, List<ClusterRecord> records)
    {
        if (owner == StaticOwner)
        {
            _generator.ForApexes(NameServerAddresses(), records);
            return;
        }
        int colon = owner.IndexOf(':');
        string kind = owner[..colon];
        string key = owner[(colon + 1)..];
        switch (kind)
        {
            case "ns":
                if (IsNamespaceExposed(key, inhabited: false))
                {
                    _generator.ForNamespace(key, records);
                }
                break;
            case "pod":
                if (_options.Pods == PodsMode.Verified && _pods.TryGetValue(key, out var pod) && IsNamespaceExposed(pod.Namespace, inhabited: true))
                {
                    _generator.ForPod(pod, records);
                }
                break;
        }
    }

    /// <summary>The kube-dns Service's cluster IPs (what the NS name should resolve to), else this host's addresses.</summary>
    private IReadOnlyList<IPAddress> NameServerAddresses() =>
        CurrentService("kube-system/kube-dns") is { ClusterIPs.Count: > 0 } dns
            ? dns.ClusterIPs
            : ClusterRecordGenerator.LocalAddresses();

    private bool IsApex(ReadOnlySpan<byte> name)
    {
        foreach (var apex in _apexWires)
        {
            if (name.SequenceEqual(apex))
            {
                return true;
            }
        }
        return false;
    }

    private ZoneApex[] BuildApexes(uint serial)
    {
        var firstForward = _options.Zones.FirstOrDefault(z => !ClusterRecordGenerator.IsReverseZone(z)) ?? _options.Zones[0];
        var forwardWire = firstForward.ToLower().Wire.ToArray();
        return _options.Zones.Select(zone =>
        {
            var wire = zone.ToLower().Wire.ToArray();
            var mname = ClusterNames.Build(forwardWire, "ns", "dns")!;
            var rname = ClusterNames.Build(wire, "hostmaster")!;
            var rdata = ClusterNames.SoaRdata(mname, rname, serial, 7200, 1800, 86400, _options.Ttl);
            return new ZoneApex(zone, ClusterRecordGenerator.IsReverseZone(zone), rdata, _options.Ttl);
        }).ToArray();
    }
}
