namespace ClusterDns.Kubernetes;

/// <summary>
/// One change of the cluster state. <see cref="Object"/> is a <see cref="ServiceObject"/>,
/// <see cref="EndpointSliceObject"/>, <see cref="PodObject"/> or <see cref="NamespaceObject"/> for an Upsert,
/// null otherwise. <see cref="Key"/> is "namespace/name" ("name" for namespaces).
/// </summary>
public readonly record struct ClusterChange(ResourceKind Kind, ChangeType Type, string Key, object? Object)
{
    public static ClusterChange Upsert(ResourceKind kind, string key, object obj) => new(kind, ChangeType.Upsert, key, obj);

    public static ClusterChange Delete(ResourceKind kind, string key) => new(kind, ChangeType.Delete, key, null);

    public static ClusterChange Synced(ResourceKind kind) => new(kind, ChangeType.Synced, "", null);
}
