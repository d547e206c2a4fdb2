namespace ClusterDns.Kubernetes;

/// <summary>
/// One change of the cluster state. <see cref="Object"/> is a <see cref="ServiceObject"/>,
/// <see cref="EndpointSliceObject"/>, <see cref="PodObject"/> or <see cref="NamespaceObject"/> for an Upsert,
/// null otherwise. <see cref="Key"/> is "namespace/name" ("name" for namespaces). <see cref="Version"/>: the API
/// resourceVersion a Delete or Synced happened at (the deleted object's, or the list's), when known; an Upsert's is
/// its object's.
/// </summary>
public readonly record struct ClusterChange(ResourceKind Kind, ChangeType Type, string Key, object? Object, string? Version = null)
{
    public static ClusterChange Upsert(ResourceKind kind, string key, object obj) => new(kind, ChangeType.Upsert, key, obj);

    public static ClusterChange Delete(ResourceKind kind, string key, string? version = null) => new(kind, ChangeType.Delete, key, null, version);

    public static ClusterChange Synced(ResourceKind kind) => new(kind, ChangeType.Synced, "", null);

    public static ClusterChange Synced(ResourceKind kind, string? version) => new(kind, ChangeType.Synced, "", null, version);
}
