using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Common;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// The one writer of the cluster zone. It keeps the objects it was told about, recomputes the records of
/// just the objects a change touches, re-encodes just the names whose records changed, and publishes a new
/// <see cref="ClusterIndex"/> that shares every untouched shard with the previous one.
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

    /// <summary>What each owner (an object, or the apex) currently contributes.</summary>
    /// <summary>The names each owner currently has records at (its records live in the names' states).</summary>
    private readonly Dictionary<string, byte[][]> _ownerNames = new(StringComparer.Ordinal);
    private readonly Dictionary<byte[], NameState> _names = new(WireNameKeyComparer.Instance);
    private readonly HashSet<byte[]> _dirtyNames = new(WireNameKeyComparer.Instance);
    private readonly HashSet<string> _dirtyOwners = new(StringComparer.Ordinal);
    /// <summary>Shards already copied in the current publish.</summary>
    private readonly bool[] _dirtyShards = new bool[ClusterIndex.ShardCount];
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
        _dirtyOwners.Add(StaticOwner);
        Publish();
    }

    /// <summary>The latest published snapshot.</summary>
    public ClusterIndex Current => Volatile.Read(ref _published);

    /// <summary>Raised when an owner's records could not be generated (it is skipped); for logging.</summary>
    public event Action<string, Exception>? GenerateFailed;

    /// <summary>Raised after each publish, on the writer's thread (readiness, metrics).</summary>
    public event Action<ClusterIndex>? Published;

    public bool IsSynced => _expectedKinds.IsSubsetOf(_syncedKinds);

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
        if (_services.Remove(change.Key, out var previous))
        {
            _servicesByNamespace.GetValueOrDefault(previous.Namespace)?.Remove(change.Key);
            DirtyNamespace(previous.Namespace);
        }
        if (change.Type == ChangeType.Upsert && change.Object is ServiceObject service)
        {
            _services[change.Key] = service;
            GetOrAdd(_servicesByNamespace, service.Namespace).Add(change.Key);
            DirtyNamespace(service.Namespace);
        }
        _dirtyOwners.Add(ServiceOwner(change.Key));
        if (change.Key == "kube-system/kube-dns")
        {
            _dirtyOwners.Add(StaticOwner);
        }
    }

    private void ApplySlice(ClusterChange change)
    {
        if (_slices.Remove(change.Key, out var previous) && previous.ServiceName is { } previousService)
        {
            var serviceKey = previous.Namespace + "/" + previousService;
            _slicesByService.GetValueOrDefault(serviceKey)?.Remove(change.Key);
            _dirtyOwners.Add(ServiceOwner(serviceKey));
        }
        if (change.Type == ChangeType.Upsert && change.Object is EndpointSliceObject slice && slice.ServiceName is { } serviceName)
        {
            _slices[change.Key] = slice;
            var serviceKey = slice.Namespace + "/" + serviceName;
            GetOrAdd(_slicesByService, serviceKey).Add(change.Key);
            _dirtyOwners.Add(ServiceOwner(serviceKey));
            // Only live changes count: the first list (or a snapshot) replays old trigger times.
            if (Metrics is not null && IsSynced && slice.LastChangeTriggerTime is { } triggeredAt && _services.TryGetValue(serviceKey, out var service))
            {
                _programming.Add((ServiceKind(service), triggeredAt));
            }
        }
    }

    private void ApplyPod(ClusterChange change)
    {
        _pods.Remove(change.Key);
        if (change.Type == ChangeType.Upsert && change.Object is PodObject pod)
        {
            _pods[change.Key] = pod;
        }
        _dirtyOwners.Add("pod:" + change.Key);
    }

    private void ApplyNamespace(ClusterChange change)
    {
        _namespaces.Remove(change.Key);
        if (change.Type == ChangeType.Upsert && change.Object is NamespaceObject ns)
        {
            _namespaces[change.Key] = ns;
        }
        DirtyNamespace(change.Key);
        if (_namespaceSelector is null)
        {
            return;
        }
        // Labels decide exposure: every Service and pod of the namespace may appear or vanish.
        if (_servicesByNamespace.TryGetValue(change.Key, out var services))
        {
            foreach (var key in services)
            {
                _dirtyOwners.Add(ServiceOwner(key));
            }
        }
        foreach (var pod in _pods.Values)
        {
            if (pod.Namespace == change.Key)
            {
                _dirtyOwners.Add("pod:" + pod.Namespace + "/" + pod.Name);
            }
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

    private void DirtyNamespace(string name) => _dirtyOwners.Add("ns:" + name);

    private static string ServiceOwner(string key) => "svc:" + key;

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
        var records = new List<ClusterRecord>();
        foreach (var owner in _dirtyOwners)
        {
            records.Clear();
            try
            {
                Generate(owner, records);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // One object we cannot turn into records must not stop every later publish: it simply has none.
                records.Clear();
                GenerateFailed?.Invoke(owner, exception);
            }
            Replace(owner, records);
        }
        _dirtyOwners.Clear();

        // Copy-on-write: a shard with changed names is copied from the published one and edited; the rest are shared.
        var shards = (Dictionary<byte[], NameEntry>[])_published.Shards.Clone();
        foreach (var name in _dirtyNames)
        {
            int shard = ClusterIndex.ShardOf(name);
            if (!_dirtyShards[shard])
            {
                shards[shard] = new Dictionary<byte[], NameEntry>(shards[shard], WireNameKeyComparer.Instance);
                _dirtyShards[shard] = true;
            }
            if (_names.TryGetValue(name, out var state) && state.Exists)
            {
                shards[shard][name] = Encode(state);
            }
            else
            {
                shards[shard].Remove(name);
            }
        }
        _dirtyNames.Clear();
        Array.Clear(_dirtyShards);
        _serial++;
        var index = new ClusterIndex(shards, BuildApexes(_serial), IsSynced, _serial);
        Volatile.Write(ref _published, index);
        Published?.Invoke(index);
        RecordProgrammingLatency();
        return true;
    }

    private void Generate(string owner, List<ClusterRecord> records)
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

    /// <summary>Swaps an owner's records: names it left or joined are marked for re-encoding.</summary>
    private void Replace(string owner, List<ClusterRecord> records)
    {
        if (_ownerNames.TryGetValue(owner, out var previous))
        {
            foreach (var name in previous)
            {
                if (_names.TryGetValue(name, out var state))
                {
                    bool existed = state.Exists;
                    state.Remove(owner);
                    _dirtyNames.Add(name);
                    if (existed && !state.Exists)
                    {
                        RemoveName(name, state);
                    }
                }
            }
        }
        if (records.Count == 0)
        {
            _ownerNames.Remove(owner);
            return;
        }
        var names = new HashSet<byte[]>(WireNameKeyComparer.Instance);
        foreach (var record in records)
        {
            var state = GetOrAddName(record.Name, out bool created);
            bool existed = !created && state.Exists;
            names.Add(record.Name);
            state.Add(owner, record);
            _dirtyNames.Add(record.Name);
            if (!existed)
            {
                AddParentReference(record.Name);
            }
        }
        _ownerNames[owner] = names.ToArray();
    }

    private NameState GetOrAddName(byte[] name, out bool created)
    {
        if (_names.TryGetValue(name, out var state))
        {
            created = false;
            return state;
        }
        created = true;
        _names[name] = state = new NameState();
        return state;
    }

    private void RemoveName(byte[] name, NameState state)
    {
        if (!state.Exists)
        {
            _names.Remove(name);
            _dirtyNames.Add(name);
            RemoveParentReference(name);
        }
    }

    /// <summary>Every ancestor up to the apex exists while a descendant does (empty non-terminals).</summary>
    private void AddParentReference(byte[] name)
    {
        if (IsApex(name) || name.Length <= 1)
        {
            return;
        }
        var parent = name.AsSpan(name[0] + 1).ToArray();
        if (!_generator.IsServed(parent))
        {
            return;
        }
        var state = GetOrAddName(parent, out bool created);
        bool existed = !created && state.Exists;
        state.Children++;
        _dirtyNames.Add(parent);
        if (!existed)
        {
            AddParentReference(parent);
        }
    }

    private void RemoveParentReference(byte[] name)
    {
        if (IsApex(name) || name.Length <= 1)
        {
            return;
        }
        var parent = name.AsSpan(name[0] + 1).ToArray();
        if (_names.TryGetValue(parent, out var state))
        {
            state.Children--;
            _dirtyNames.Add(parent);
            RemoveName(parent, state);
        }
    }

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

    private NameEntry Encode(NameState state)
    {
        var byType = new Dictionary<RecordType, (List<byte[]> Rdatas, List<byte[]> Targets)>();
        foreach (var (_, record) in state.Records)
        {
            if (record.Type == ClusterRecord.ExistenceMarker)
            {
                continue;
            }
            if (!byType.TryGetValue(record.Type, out var set))
            {
                byType[record.Type] = set = (new List<byte[]>(), new List<byte[]>());
            }
            if (!set.Rdatas.Any(r => r.AsSpan().SequenceEqual(record.Rdata)))
            {
                set.Rdatas.Add(record.Rdata);
            }
            if (record.Target is { } target && !set.Targets.Any(t => t.AsSpan().SequenceEqual(target)))
            {
                set.Targets.Add(target);
            }
        }
        if (byType.Count == 0)
        {
            return NameEntry.EmptyNonTerminal;
        }
        var rrsets = new EncodedRRset[byType.Count];
        int i = 0;
        foreach (var (type, set) in byType.OrderBy(p => (ushort)p.Key))
        {
            uint ttl = type == RecordType.TXT ? KubernetesOptions.DnsVersionTtl : _options.Ttl;
            rrsets[i++] = EncodedRRset.Create(type, ttl, set.Rdatas, set.Targets);
        }
        return new NameEntry(rrsets);
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
            var soa = EncodedRRset.Create(RecordType.SOA, _options.Ttl, [rdata], []);
            return new ZoneApex(zone, ClusterRecordGenerator.IsReverseZone(zone), soa);
        }).ToArray();
    }

    /// <summary>Records at one name, by owner; <see cref="Children"/> counts existing names directly below it.</summary>
    private sealed class NameState
    {
        // Most names hold one or two records: start small (this state exists for every name of the zone).
        public List<(string Owner, ClusterRecord Record)> Records { get; } = new(1);

        public int Children { get; set; }

        public bool Exists => Records.Count > 0 || Children > 0;

        public void Add(string owner, ClusterRecord record) => Records.Add((owner, record));

        public void Remove(string owner) => Records.RemoveAll(r => r.Owner == owner);

    }
}
