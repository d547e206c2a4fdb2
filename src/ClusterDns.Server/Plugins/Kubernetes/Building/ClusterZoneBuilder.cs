using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// The one writer of the cluster zone. <see cref="Apply"/> puts each change into the object store
/// (<see cref="ClusterObjectStore"/>) and marks what it touches: the Services whose record must be composed
/// again, and the other owners of records (<see cref="RecordOwner"/>: namespaces, pods, the apex), whose
/// records as published are generated just before the first change of the batch alters an object they depend
/// on. <see cref="Publish"/> composes the marked Services' records, generates the marked owners' records
/// again, applies the difference by reference counts (<see cref="IndexEdit"/>), and swaps in a new
/// <see cref="ClusterIndex"/> that shares every untouched shard with the previous one.
/// Not thread-safe by design: one task feeds it (see <see cref="ClusterZoneComponent"/>).
/// </summary>
public sealed class ClusterZoneBuilder
{
    private readonly KubernetesOptions _options;
    private readonly ClusterRecordGenerator _generator;
    private readonly ClusterServiceCodec _services;
    private readonly LabelSelector? _serviceSelector;
    private readonly NamespaceExposure _exposure;
    private readonly ClusterObjectStore _store;
    private readonly HashSet<ResourceKind> _expectedKinds;
    private readonly HashSet<ResourceKind> _syncedKinds = new();

    /// <summary>Services whose record is composed again at the next publish.</summary>
    private readonly HashSet<string> _dirtyServices = new(StringComparer.Ordinal);
    /// <summary>Owners changed since the last publish, each with the records it had then.</summary>
    private readonly Dictionary<RecordOwner, List<ClusterRecord>> _dirtyOwners = new();
    /// <summary>The apex records as last published: they depend on this host's addresses, which may change unseen.</summary>
    private List<ClusterRecord> _apexRecords = new();
    private readonly byte[][] _apexWires;

    private ClusterIndex _published;
    private readonly PodAddressBook? _podAddresses;
    private uint _serial = 1;
    private readonly ResourceVersionSerial _versions = new();

    /// <summary>Slice changes (service kind, trigger time) applied since the last publish, for the programming-latency metric.</summary>
    private readonly List<(string Kind, DateTimeOffset TriggeredAt)> _programming = new();

    /// <summary>Where DNS programming latency is recorded (null: not measured).</summary>
    public KubernetesMetrics? Metrics { get; init; }

    /// <summary>The clock for programming latency (tests may pin it).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>A Service ("namespace/name") whose endpoints someone follows (lameduck's rotation check).</summary>
    public string? WatchedEndpoints { get; init; }

    /// <summary>Raised on the writer's thread whenever a slice of <see cref="WatchedEndpoints"/> changed, with all its slices.</summary>
    public event Action<EndpointSliceObject[]>? WatchedEndpointsChanged;

    public ClusterZoneBuilder(KubernetesOptions options, IEnumerable<ResourceKind> expectedKinds)
    {
        _options = options;
        _generator = new ClusterRecordGenerator(options);
        _services = new ClusterServiceCodec(options);
        _serviceSelector = options.Labels is { } labels ? LabelSelector.Parse(labels) : null;
        _exposure = new NamespaceExposure(options);
        _podAddresses = options.Pods == PodsMode.Verified ? new PodAddressBook() : null;
        _store = new ClusterObjectStore(_exposure, () => _published!);
        _expectedKinds = expectedKinds.ToHashSet();
        _apexWires = options.Zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _published = ClusterIndex.Empty(ZoneApex.Build(options, _serial));
        MarkDirty(RecordOwner.Apex);
        Publish();
    }

    /// <summary>The latest published index.</summary>
    public ClusterIndex Current => Volatile.Read(ref _published);

    /// <summary>Running pods' addresses → namespace, for autopath; kept only with <c>pods verified</c> (empty otherwise).</summary>
    public PodAddressIndex PodAddresses => _podAddresses?.Current ?? PodAddressIndex.Empty;

    /// <summary>Raised when an owner's records could not be generated (it is skipped); for logging.</summary>
    public event Action<RecordOwner, Exception>? GenerateFailed;

    /// <summary>Raised after each publish, on the writer's thread (readiness, metrics).</summary>
    public event Action<ClusterIndex>? Published;

    /// <summary>
    /// Raised by the writer with each new index just before it is published, and with what the publish touched
    /// (the cluster zone's transfer journal works out the differences from it). Not raised when nobody listens.
    /// </summary>
    public event Action<PublishedChange>? Publishing;

    /// <summary>Raised after a publish that changed the pod address index (<c>pods verified</c>; tests await pod changes with it).</summary>
    public event Action<PodAddressIndex>? PodAddressesPublished;

    public bool IsSynced => _expectedKinds.IsSubsetOf(_syncedKinds);

    /// <summary>Entries in each part of the object store (tests: nothing is kept for objects that are gone).</summary>
    internal int StoredEntries => _published.ServiceCount + _store.Count + _dirtyOwners.Count + _dirtyServices.Count;

    /// <summary>The objects as published, for the state file; on the writer's thread only, after a publish.</summary>
    /// <summary>
    /// The objects as published, for the state file; null while changes are applied but not yet published (the
    /// store would mix them with the published Services: the save waits for the next publish). On the writer's
    /// thread, or under its lock.
    /// </summary>
    internal ClusterState? CopyObjects() => _unpublished ? null : _store.Copy() with { Serial = _serial };

    /// <summary>A change was applied since the last <see cref="Publish"/>.</summary>
    private bool _unpublished;

    /// <summary>The serial published by a run before this one (the state file): the next publish is not behind it.</summary>
    public void ContinueSerialFrom(uint serial)
    {
        if (ResourceVersionSerial.IsAfter(serial, _serial))
        {
            _serial = serial;
        }
    }

    /// <summary>Applies one change to the object store; the records follow at the next <see cref="Publish"/>.</summary>
    public void Apply(ClusterChange change)
    {
        _unpublished = true;
        _versions.Observe(change.Version ?? VersionOf(change.Object));
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
                // A pod has no records of its own: its pods-verified name is answered from the address index.
                var pod = change.Type == ChangeType.Upsert ? change.Object as PodObject : null;
                var before = _store.Pod(change.Key);
                if ((before is null) != (pod is null))
                {
                    // A pod makes its namespace exist (its first one may, its last one may end it).
                    MarkDirty(RecordOwner.Namespace(ClusterObjectStore.NamespaceOf(change.Key)));
                }
                _podAddresses?.Replace(before, pod);
                _store.SetPod(change.Key, pod);
                break;
            case ResourceKind.Namespace:
                ApplyNamespace(change);
                break;
        }
    }

    /// <summary>
    /// The objects behind the answers for <paramref name="name"/> (the source knows their versions and arrival
    /// times); null when the name is outside the plugin's zones. On the writer's thread (or under its lock).
    /// </summary>
    internal (DnsName Zone, List<AnswerSource> Objects, List<string> Notes)? Explain(DnsName name) =>
        new ClusterAnswerSources(_options, _store).Find(name) is ({ } zone, var objects, var notes) ? (zone, objects, notes) : null;

    private void ApplyService(ClusterChange change)
    {
        if (ClusterServiceCodec.KeyOf(change.Key) is null)
        {
            return; // not a DNS name: such a Service has no names
        }
        // Owners whose records depend on what changes are marked first, while the store is as published.
        MarkDirty(RecordOwner.Namespace(ClusterObjectStore.NamespaceOf(change.Key)));
        if (change.Key == _options.NameServerService)
        {
            MarkDirty(RecordOwner.Apex);
        }
        _dirtyServices.Add(change.Key);
        _store.SetService(change.Key, change.Type == ChangeType.Upsert ? change.Object as ServiceObject : null);
    }

    private void ApplySlice(ClusterChange change)
    {
        var slice = change.Type == ChangeType.Upsert ? change.Object as EndpointSliceObject : null;
        var (before, after) = _store.SetSlice(change.Key, slice);
        if (WatchedEndpoints is { } watched && (before == watched || after == watched))
        {
            WatchedEndpointsChanged?.Invoke(_store.SlicesOf(watched));
        }
        if (before is not null)
        {
            _dirtyServices.Add(before);
        }
        if (after is null)
        {
            return;
        }
        _dirtyServices.Add(after);
        // Only live changes count: the first list (or a state file) replays old trigger times.
        if (Metrics is not null && IsSynced && slice!.LastChangeTriggerTime is { } triggeredAt && _store.Service(after) is { } service)
        {
            _programming.Add((ServiceKind(service), triggeredAt));
        }
    }

    private void ApplyNamespace(ClusterChange change)
    {
        MarkDirty(RecordOwner.Namespace(change.Key));
        if (_store.IsNamespaceExposed(change.Key, inhabited: true) != IsExposedAfter(change))
        {
            // Labels decide exposure: every Service of the namespace may appear or vanish (its pods' names follow
            // the namespace's own ns.pod.zone entry).
            foreach (var key in _store.ServiceKeysIn(change.Key).ToArray())
            {
                _dirtyServices.Add(key);
            }
        }
        _store.SetNamespace(change.Key, change.Type == ChangeType.Upsert ? change.Object as NamespaceObject : null);
    }

    /// <summary>Whether the namespace's objects are exposed once <paramref name="change"/> is applied.</summary>
    private bool IsExposedAfter(ClusterChange change) =>
        _exposure.IsExposed(change.Key, change.Type == ChangeType.Upsert ? change.Object as NamespaceObject : null, exists: true);

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
    private void MarkDirty(RecordOwner owner)
    {
        if (_dirtyOwners.ContainsKey(owner))
        {
            return;
        }
        var published = new List<ClusterRecord>();
        if (owner.Kind == OwnerKind.Apex)
        {
            published.AddRange(_apexRecords);
        }
        else
        {
            Generate(owner, published, reportFailure: false);
        }
        _dirtyOwners[owner] = published;
    }

    /// <summary>
    /// Recomputes the records of every owner changed since the last publish and publishes a new index.
    /// Returns false when nothing changed (no new index).
    /// </summary>
    public bool Publish()
    {
        _unpublished = false;
        if (_podAddresses is not null && _podAddresses.Publish())
        {
            PodAddressesPublished?.Invoke(_podAddresses.Current);
        }
        bool syncedChanged = IsSynced != _published.Synced;
        if (_dirtyOwners.Count == 0 && _dirtyServices.Count == 0 && !syncedChanged)
        {
            return false;
        }
        // Taken before the dirty sets are cleared below: only a publish that touches owners can change records.
        bool recordsMayChange = _dirtyOwners.Count > 0 || _dirtyServices.Count > 0;
        var edit = new IndexEdit(_published);
        PublishServices(edit);
        foreach (var (owner, before) in _dirtyOwners)
        {
            var after = new List<ClusterRecord>();
            Generate(owner, after, reportFailure: true);
            if (owner.Kind == OwnerKind.Apex)
            {
                _apexRecords = after;
            }
            edit.Apply(before, -1);
            edit.Apply(after, +1);
        }
        _dirtyOwners.Clear();
        // Kept until the owners above are generated: the apex's NS addresses read the name server's Service.
        _store.ClearPendingServices();
        edit.SettleChildren(IsApex, name => _generator.IsServed(name));
        var (names, services) = edit.Commit(TtlOf);
        _serial = _versions.Next(_serial, recordsChanged: recordsMayChange && _published.Synced);
        var index = new ClusterIndex(names, services, ZoneApex.Build(_options, _serial), IsSynced, _serial);
        Publishing?.Invoke(new PublishedChange(_published, index, edit.TouchedNames, edit.TouchedServices));
        Volatile.Write(ref _published, index);
        Published?.Invoke(index);
        RecordProgrammingLatency();
        return true;
    }

    private static string? VersionOf(object? obj) => obj switch
    {
        ServiceObject service => service.ResourceVersion,
        EndpointSliceObject slice => slice.ResourceVersion,
        PodObject pod => pod.ResourceVersion,
        NamespaceObject ns => ns.ResourceVersion,
        _ => null,
    };

    /// <summary>Composes the record of every Service changed in this batch, and moves its PTR records from the published record's to the new one's.</summary>
    private void PublishServices(IndexEdit edit)
    {
        var records = new List<ClusterRecord>();
        foreach (var key in _dirtyServices)
        {
            var wireKey = ClusterServiceCodec.KeyOf(key);
            if (wireKey is null)
            {
                continue;
            }
            var before = edit.FindService(wireKey);
            var after = Compose(key);
            if (before is null && after is null)
            {
                continue;
            }
            foreach (var (record, delta) in new[] { (before, -1), (after, +1) })
            {
                if (record is not null)
                {
                    records.Clear();
                    _generator.ForService(new ClusterService(record), records);
                    edit.Apply(records, delta);
                }
            }
            edit.SetService(wireKey, after);
        }
        _dirtyServices.Clear();
    }

    /// <summary>The record of one Service as its spec, slices and namespace now say; null when it is gone.</summary>
    private byte[]? Compose(string key)
    {
        var service = _store.Service(key);
        if (service is null)
        {
            return null;
        }
        try
        {
            bool exposed = _store.IsNamespaceExposed(service.Namespace, inhabited: true) && (_serviceSelector is null || _serviceSelector.Matches(service.Labels));
            return _services.Compose(service, _store.SlicesOf(key), exposed, keepLabels: _serviceSelector is not null);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // One object we cannot turn into records must not stop every later publish: it simply has none.
            GenerateFailed?.Invoke(RecordOwner.Service(key), exception);
            return null;
        }
    }

    private uint TtlOf(RecordType type) => type == RecordType.TXT ? KubernetesOptions.DnsVersionTtl : _options.Ttl;

    /// <summary>The records of one owner from the objects as they are now; none when it cannot be generated.</summary>
    private void Generate(RecordOwner owner, List<ClusterRecord> records, bool reportFailure)
    {
        try
        {
            switch (owner.Kind)
            {
                case OwnerKind.Apex:
                    _generator.ForApexes(NameServerAddresses(), records);
                    break;
                case OwnerKind.Namespace when _store.IsNamespaceExposed(owner.Key, inhabited: false):
                    _generator.ForNamespace(owner.Key, records);
                    break;
            }
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

    /// <summary>The name server Service's cluster IPs (what the NS name should resolve to), else this host's addresses.</summary>
    private IReadOnlyList<IPAddress> NameServerAddresses() =>
        _store.Service(_options.NameServerService) is { ClusterIPs.Count: > 0 } dns
            ? dns.ClusterIPs
            : ClusterRecordGenerator.LocalAddresses();

    private bool IsApex(byte[] name)
    {
        foreach (var apex in _apexWires)
        {
            if (name.AsSpan().SequenceEqual(apex))
            {
                return true;
            }
        }
        return false;
    }
}
