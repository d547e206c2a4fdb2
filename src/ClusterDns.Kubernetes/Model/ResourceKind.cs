namespace ClusterDns.Kubernetes;

/// <summary>The Kubernetes resources ClusterDns reads.</summary>
public enum ResourceKind
{
    Service,
    EndpointSlice,
    Pod,
    Namespace,
}
