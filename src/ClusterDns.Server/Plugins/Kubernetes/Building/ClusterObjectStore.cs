using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// The zone builder's store of the objects the records come from. A Service is kept only as its published
/// <see cref="ClusterService"/> record (decoded when it must be composed again), plus what changed in the batch
/// not yet published; slices as <see cref="StoredSlice"/> arrays, pods as <see cref="StoredPod"/> arrays; namespaces as
/// their slim objects.
/// Owned by the one writer.
/// </summary>
internal sealed class ClusterObjectStore
{
    private readonly Func<ClusterIndex> _published;
    private readonly NamespaceExposure _exposure;

    /// <summary>Services changed in this batch ("namespace/name"), null when deleted; the rest are in the published index.</summary>
    private readonly Dictionary<string, ServiceObject?> _pendingServices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _serviceCountByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _slices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _slicesByService = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _podCountByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamespaceObject> _namespaces = new(StringComparer.Ordinal);

    public ClusterObjectStore(NamespaceExposure exposure, Func<ClusterIndex> published)
    {
        _exposure = exposure;
        _published = published;
    }

    /// <summary>Entries held (tests: nothing is kept for objects that are gone).</summary>
    public int Count => _slices.Count + _slicesByService.Count + _serviceCountByNamespace.Count + _pods.Count + _podCountByNamespace.Count + _namespaces.Count + _pendingServices.Count;

    /// <summary>Stores a Service's new state (null: deleted); it is published with the batch.</summary>
    public void SetService(string key, ServiceObject? service)
    {
        bool existed = _pendingServices.TryGetValue(key, out var pending) ? pending is not null : !PublishedService(key).IsNull;
        _pendingServices[key] = service;
        if (existed == service is not null)
        {
            return;
        }
        AddToCount(_serviceCountByNamespace, NamespaceOf(key), existed ? -1 : 1);
    }

    /// <summary>Adds <paramref name="delta"/> to a namespace's count, forgetting the namespace at zero.</summary>
    private static void AddToCount(Dictionary<string, int> counts, string ns, int delta)
    {
        int count = counts.GetValueOrDefault(ns) + delta;
        if (count > 0)
        {
            counts[ns] = count;
        }
        else
        {
            counts.Remove(ns);
        }
    }

    /// <summary>A Service as it is now: changed in this batch, else as published (decoded from its record).</summary>
    public ServiceObject? Service(string key)
    {
        if (_pendingServices.TryGetValue(key, out var pending))
        {
            return pending;
        }
        var record = PublishedService(key);
        return record.IsNull ? null : ClusterServiceCodec.Decode(record);
    }

    /// <summary>The batch's changed Services have been published: their records are the store again.</summary>
    public void ClearPendingServices() => _pendingServices.Clear();

    /// <summary>Keys of the Services in <paramref name="ns"/>, published or changed in this batch.</summary>
    public IEnumerable<string> ServiceKeysIn(string ns)
    {
        var label = System.Text.Encoding.ASCII.GetBytes(ns);
        foreach (var service in _published().Services())
        {
            if (service.NamespaceLabel.SequenceEqual(label))
            {
                yield return ns + "/" + System.Text.Encoding.ASCII.GetString(service.NameLabel);
            }
        }
        foreach (var pending in _pendingServices.Keys)
        {
            if (pending.Length > ns.Length && pending[ns.Length] == '/' && pending.StartsWith(ns, StringComparison.Ordinal))
            {
                yield return pending;
            }
        }
    }

    /// <summary>
    /// Stores or removes a slice; returns the keys of the Services it belonged to before and belongs to now
    /// (either null), whose records must be composed again.
    /// </summary>
    public (string? Before, string? After) SetSlice(string key, EndpointSliceObject? slice)
    {
        string? before = null, after = null;
        // Encoded first: a slice that cannot be stored (a count past the layout's limit) leaves the store as it was.
        var stored = slice?.ServiceName is null ? null : StoredSlice.Encode(slice);
        if (_slices.Remove(key, out var previous) && StoredSlice.ServiceName(previous) is { } previousService)
        {
            before = NamespaceOf(key) + "/" + previousService;
            RemoveSlice(before, key);
        }
        if (slice?.ServiceName is { } serviceName)
        {
            after = slice.Namespace + "/" + serviceName;
            _slices[key] = stored!;
            AddSlice(after, key);
        }
        return (before, after);
    }

    /// <summary>The slices of a Service, in key order (a stable order makes the composed record stable).</summary>
    public EndpointSliceObject[] SlicesOf(string serviceKey) =>
        _slicesByService.TryGetValue(serviceKey, out var keys)
            ? keys.Order(StringComparer.Ordinal).Select(k => StoredSlice.Decode(k, _slices[k])).ToArray()
            : [];

    /// <summary>The keys of a Service's slices, in key order (explain).</summary>
    public string[] SliceKeysOf(string serviceKey) =>
        _slicesByService.TryGetValue(serviceKey, out var keys) ? keys.Order(StringComparer.Ordinal).ToArray() : [];

    /// <summary>Every stored slice, decoded (explain: a rare path that may walk them all).</summary>
    public IEnumerable<EndpointSliceObject> Slices() => _slices.Select(s => StoredSlice.Decode(s.Key, s.Value));

    /// <summary>A stored slice, decoded; null when unknown.</summary>
    public EndpointSliceObject? Slice(string key) => _slices.TryGetValue(key, out var stored) ? StoredSlice.Decode(key, stored) : null;

    /// <summary>Every Service as published, decoded (explain).</summary>
    public IEnumerable<ServiceObject> PublishedServices() => _published().Services().Select(ClusterServiceCodec.Decode);

    public NamespaceObject? Namespace(string name) => _namespaces.GetValueOrDefault(name);

    public IEnumerable<PodObject> PodsIn(string ns) => PodKeysIn(ns).Select(key => Pod(key)!);

    /// <summary>Stores a pod's new state (null: deleted), counting the pods of its namespace.</summary>
    public void SetPod(string key, PodObject? pod)
    {
        bool existed = _pods.Remove(key);
        if (pod is not null)
        {
            _pods[key] = StoredPod.Encode(pod);
        }
        if (existed == pod is not null)
        {
            return;
        }
        AddToCount(_podCountByNamespace, NamespaceOf(key), existed ? -1 : 1);
    }

    public PodObject? Pod(string key) => _pods.TryGetValue(key, out var stored) ? StoredPod.Decode(key, stored) : null;

    public IEnumerable<string> PodKeysIn(string ns) =>
        _pods.Keys.Where(k => k.Length > ns.Length && k[ns.Length] == '/' && k.StartsWith(ns, StringComparison.Ordinal));

    public void SetNamespace(string name, NamespaceObject? value)
    {
        _namespaces.Remove(name);
        if (value is not null)
        {
            _namespaces[name] = value;
        }
    }

    /// <summary>
    /// <see cref="NamespaceExposure"/> over the store. A namespace exists through its object, its Services or its
    /// pods; <paramref name="inhabited"/> says the caller holds an object of the namespace (a Service, a pod).
    /// </summary>
    public bool IsNamespaceExposed(string name, bool inhabited)
    {
        var namespaceObject = _namespaces.GetValueOrDefault(name);
        return _exposure.IsExposed(name, namespaceObject,
            inhabited || namespaceObject is not null || _serviceCountByNamespace.ContainsKey(name) || _podCountByNamespace.ContainsKey(name));
    }

    /// <summary>The objects as published, for the state file; after a publish.</summary>
    public ClusterState Copy() =>
        new(new PublishedServices(_published()),
            _slices.Select(s => StoredSlice.Decode(s.Key, s.Value)).ToArray(),
            _pods.Select(p => StoredPod.Decode(p.Key, p.Value)).ToArray(), _namespaces.Values.ToArray());

    public static string NamespaceOf(string key) => key[..key.IndexOf('/')];

    private ClusterService PublishedService(string key) =>
        ClusterServiceCodec.KeyOf(key) is { } wireKey ? _published().FindService(wireKey) : default;

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
}
