namespace ClusterDns.Kubernetes.Conversion;

/// <summary>The Kubernetes object types we read; Endpoints (legacy) converts into an EndpointSlice.</summary>
internal enum ObjectType
{
    Service,
    EndpointSlice,
    Endpoints,
    Pod,
    Namespace,
}
