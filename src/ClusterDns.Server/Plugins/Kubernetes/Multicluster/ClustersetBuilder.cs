using ClusterDns.Kubernetes;
using ClusterDns.Server.Common;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Multicluster;

/// <summary>
/// The writer of the multicluster zones, fed by the cluster zone's writer loop with the same changes (it keeps
/// ServiceImports, the slices labelled <c>multicluster.kubernetes.io/service-name</c>, and namespaces for the one
/// exposure rule, <see cref="NamespaceExposure"/>; it ignores the rest). <see cref="Publish"/> composes again the
/// imports a batch touched and swaps in a new <see cref="ClustersetIndex"/>. Not thread-safe: one writer.
/// </summary>
public sealed class ClustersetBuilder
{
    private readonly KubernetesOptions _options;
    private readonly NamespaceExposure _exposure;
    private readonly Dictionary<string, ServiceImportObject> _imports = new(StringComparer.Ordinal);
    /// <summary>"namespace/service" → that import's slices by slice key.</summary>
    private readonly Dictionary<string, Dictionary<string, EndpointSliceObject>> _slices = new(StringComparer.Ordinal);
    /// <summary>Slice key → the "namespace/service" it was filed under (a relabelled slice moves).</summary>
    private readonly Dictionary<string, string> _sliceOwners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamespaceObject> _namespaces = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<ResourceKind> _synced = new();
    private ClustersetIndex _published = ClustersetIndex.Empty;

    public ClustersetBuilder(KubernetesOptions options)
    {
        _options = options;
        _exposure = new NamespaceExposure(options);
    }

    internal ClustersetIndex Current => Volatile.Read(ref _published);

    internal KubernetesOptions Options => _options;

    public bool IsSynced => _synced.Contains(ResourceKind.ServiceImport) && _synced.Contains(ResourceKind.MulticlusterEndpointSlice);

    /// <summary>Raised after each publish that changed something, on the writer's thread (tests await changes with it).</summary>
    public event Action? Published;

    /// <summary>Whether "namespace/name" has a name in the published index (visible, and with records; tests).</summary>
    public bool Has(string key) => ClusterServiceCodec.KeyOf(key) is { } wire && Current.Find(wire) is { Answers: true };

    /// <summary>Imports published (tests, metrics).</summary>
    public int Count => Current.Services.Count;

    /// <summary>The stored import "namespace/name", or null (explain; the writer's thread).</summary>
    internal ServiceImportObject? Import(string key) => _imports.GetValueOrDefault(key);

    /// <summary>The stored slices labelled for the import "namespace/name", by slice key (explain; the writer's thread).</summary>
    internal IReadOnlyDictionary<string, EndpointSliceObject> SlicesOf(string key) =>
        _slices.TryGetValue(key, out var slices) ? slices : new Dictionary<string, EndpointSliceObject>();

    public void Apply(ClusterChange change)
    {
        if (change.Type == ChangeType.Synced)
        {
            _synced.Add(change.Kind);
            return;
        }
        switch (change.Kind)
        {
            case ResourceKind.ServiceImport:
                _dirty.Add(change.Key);
                if (change.Type == ChangeType.Upsert && change.Object is ServiceImportObject import)
                {
                    _imports[change.Key] = import;
                }
                else
                {
                    _imports.Remove(change.Key);
                }
                break;
            case ResourceKind.MulticlusterEndpointSlice:
                ApplySlice(change);
                break;
            case ResourceKind.Namespace when _exposure.SelectsByLabels:
                if (change.Type == ChangeType.Upsert && change.Object is NamespaceObject ns)
                {
                    _namespaces[change.Key] = ns;
                }
                else
                {
                    _namespaces.Remove(change.Key);
                }
                string prefix = change.Key + "/";
                foreach (var key in _imports.Keys)
                {
                    if (key.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        _dirty.Add(key);
                    }
                }
                break;
        }
    }

    private void ApplySlice(ClusterChange change)
    {
        if (_sliceOwners.Remove(change.Key, out var before) && _slices.TryGetValue(before, out var old))
        {
            old.Remove(change.Key);
            if (old.Count == 0)
            {
                _slices.Remove(before);
            }
            _dirty.Add(before);
        }
        if (change.Type != ChangeType.Upsert || change.Object is not EndpointSliceObject { ServiceName: { Length: > 0 } service } slice)
        {
            return;
        }
        string owner = slice.Namespace + "/" + service;
        if (!_slices.TryGetValue(owner, out var slices))
        {
            slices = new Dictionary<string, EndpointSliceObject>(StringComparer.Ordinal);
            _slices[owner] = slices;
        }
        slices[change.Key] = slice;
        _sliceOwners[change.Key] = owner;
        _dirty.Add(owner);
    }

    /// <summary>Publishes what the changes since the last publish touched (nothing to do: nothing is copied).</summary>
    public void Publish()
    {
        var current = _published;
        if (_dirty.Count == 0 && current.Synced == IsSynced)
        {
            return;
        }
        var services = new Dictionary<byte[], ClustersetService>(current.Services, WireNameKeyComparer.Instance);
        foreach (var key in _dirty)
        {
            if (ClusterServiceCodec.KeyOf(key) is not { } wireKey)
            {
                continue; // not a DNS name: it has no names
            }
            services.Remove(wireKey);
            if (_imports.TryGetValue(key, out var import)
                && _exposure.IsExposed(import.Namespace, _namespaces.GetValueOrDefault(import.Namespace), exists: true))
            {
                var slices = _slices.TryGetValue(key, out var found) ? found.Values : Enumerable.Empty<EndpointSliceObject>();
                services[wireKey] = ClustersetComposer.Compose(import, slices, _options);
            }
        }
        _dirty.Clear();
        Volatile.Write(ref _published, new ClustersetIndex(services, IsSynced));
        Published?.Invoke();
    }
}
