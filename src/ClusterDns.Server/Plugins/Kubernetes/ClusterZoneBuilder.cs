using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Common;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// The one writer of the cluster zone. It keeps the objects it was told about and, per batch, recomputes the
/// records of just the objects a change touches, before and after the change; the difference is applied to
/// the published entries of the names involved by reference counts (<see cref="ClusterEntryDraft"/>), and a
/// new <see cref="ClusterIndex"/> shares every untouched shard with the previous one. The records live only
/// in the index: the "before" records are generated again from the objects as they were, just before the
/// first change of a batch alters an object they depend on.
/// Not thread-safe by design: one task feeds it (see <see cref="ClusterZoneComponent"/>).
/// </summary>
public sealed class ClusterZoneBuilder
{
    private const string StaticOwner = "static";

    private readonly KubernetesOptions _options;
    private readonly ClusterRecordGenerator _generator;
    private readonly LabelSelector? _namespaceSelector;
    private readonly LabelSelector? _serviceSelector;
    private readonly HashSet<ResourceKind> _expectedKinds;
    private readonly HashSet<ResourceKind> _syncedKinds = new();

    private readonly Dictionary<string, ServiceObject> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EndpointSliceObject> _slices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _slicesByService = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _servicesByNamespace = new(StringComparer.Ordinal);
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
        _namespaceSelector = options.NamespaceLabels is { } ns ? LabelSelector.Parse(ns) : null;
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
    internal int StoredEntries => _services.Count + _slices.Count + _slicesByService.Count + _servicesByNamespace.Count
        + _pods.Count + _namespaces.Count + _dirtyOwners.Count;

    /// <summary>A copy of the object store (the objects are immutable) for the snapshot; on the writer's thread only.</summary>
    internal ClusterSnapshot.ClusterObjects CopyObjects() =>
        new(_services.Values.ToArray(), _slices.Values.ToArray(), _pods.Values.ToArray(), _namespaces.Values.ToArray());

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
        // Every owner whose records depend on what changes is marked first, while the store is as published.
        var service = change.Type == ChangeType.Upsert ? change.Object as ServiceObject : null;
        MarkDirty(ServiceOwner(change.Key));
        if (_services.TryGetValue(change.Key, out var previous))
        {
            MarkDirty(NamespaceOwner(previous.Namespace));
        }
        if (service is not null)
        {
            MarkDirty(NamespaceOwner(service.Namespace));
        }
        if (change.Key == "kube-system/kube-dns")
        {
            MarkDirty(StaticOwner);
        }

        if (_services.Remove(change.Key, out previous))
        {
            RemoveFromSet(_servicesByNamespace, previous.Namespace, change.Key);
        }
        if (service is not null)
        {
            _services[change.Key] = service;
            GetOrAdd(_servicesByNamespace, service.Namespace).Add(change.Key);
        }
    }

    private void ApplySlice(ClusterChange change)
    {
        var slice = change.Type == ChangeType.Upsert ? change.Object as EndpointSliceObject : null;
        if (_slices.TryGetValue(change.Key, out var previous) && previous.ServiceName is { } previousService)
        {
            MarkDirty(ServiceOwner(previous.Namespace + "/" + previousService));
        }
        if (slice?.ServiceName is { } newService)
        {
            MarkDirty(ServiceOwner(slice.Namespace + "/" + newService));
        }

        if (_slices.Remove(change.Key, out previous) && previous.ServiceName is { } removedFrom)
        {
            RemoveFromSet(_slicesByService, previous.Namespace + "/" + removedFrom, change.Key);
        }
        if (slice?.ServiceName is { } serviceName)
        {
            _slices[change.Key] = slice;
            var serviceKey = slice.Namespace + "/" + serviceName;
            GetOrAdd(_slicesByService, serviceKey).Add(change.Key);
            // Only live changes count: the first list (or a snapshot) replays old trigger times.
            if (Metrics is not null && IsSynced && slice.LastChangeTriggerTime is { } triggeredAt && _services.TryGetValue(serviceKey, out var service))
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
        if (_namespaceSelector is not null)
        {
            // Labels decide exposure: every Service and pod of the namespace may appear or vanish.
            if (_servicesByNamespace.TryGetValue(change.Key, out var services))
            {
                foreach (var key in services)
                {
                    MarkDirty(ServiceOwner(key));
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

    private static string ServiceOwner(string key) => "svc:" + key;

    private static string PodOwner(string key) => "pod:" + key;

    /// <summary>Removes a member; an emptied set goes too (Services and namespaces come and go, e.g. per CI run).</summary>
    private static void RemoveFromSet(Dictionary<string, HashSet<string>> map, string key, string member)
    {
        if (map.TryGetValue(key, out var set) && set.Remove(member) && set.Count == 0)
        {
            map.Remove(key);
        }
    }

    private static HashSet<string> GetOrAdd(Dictionary<string, HashSet<string>> map, string key)
    {
        if (!map.TryGetValue(key, out var set))
        {
            map[key] = set = new HashSet<string>(StringComparer.Ordinal);
        }
        return set;
    }

    /// <summary>A namespace is served when the <c>namespaces</c> list and <c>namespace_labels</c> allow it.</summary>
    private bool IsNamespaceExposed(string name)
    {
        if (_options.Namespaces.Count > 0 && !_options.Namespaces.Contains(name))
        {
            return false;
        }
        if (_namespaceSelector is not null)
        {
            return _namespaces.TryGetValue(name, out var ns) && _namespaceSelector.Matches(ns.Labels);
        }
        return true;
    }

    /// <summary>
    /// Recomputes the records of every owner changed since the last publish and publishes a new snapshot.
    /// Returns false when nothing changed (no new snapshot).
    /// </summary>
    public bool Publish()
    {
        bool syncedChanged = IsSynced != _published.Synced;
        if (_dirtyOwners.Count == 0 && !syncedChanged)
        {
            return false;
        }
        var drafts = new Dictionary<byte[], ClusterEntryDraft>(WireNameKeyComparer.Instance);
        var byDepth = new List<ClusterEntryDraft>[WireName.MaxLength];
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
        var index = new ClusterIndex(shards, BuildApexes(_serial), IsSynced, _serial);
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
            case "svc":
                if (_services.TryGetValue(key, out var service) && IsNamespaceExposed(service.Namespace)
                    && (_serviceSelector is null || _serviceSelector.Matches(service.Labels)))
                {
                    var slices = _slicesByService.TryGetValue(key, out var sliceKeys)
                        ? sliceKeys.Select(k => _slices[k]).ToArray()
                        : [];
                    _generator.ForService(service, slices, records);
                }
                break;
            case "ns":
                bool declared = _namespaces.ContainsKey(key) || (_servicesByNamespace.TryGetValue(key, out var inNamespace) && inNamespace.Count > 0);
                if (declared && IsNamespaceExposed(key))
                {
                    _generator.ForNamespace(key, records);
                }
                break;
            case "pod":
                if (_options.Pods == PodsMode.Verified && _pods.TryGetValue(key, out var pod) && IsNamespaceExposed(pod.Namespace))
                {
                    _generator.ForPod(pod, records);
                }
                break;
        }
    }

    /// <summary>The kube-dns Service's cluster IPs (what the NS name should resolve to), else this host's addresses.</summary>
    private IReadOnlyList<IPAddress> NameServerAddresses() =>
        _services.TryGetValue("kube-system/kube-dns", out var dns) && dns.ClusterIPs.Count > 0
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
