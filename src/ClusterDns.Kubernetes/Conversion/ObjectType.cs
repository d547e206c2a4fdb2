namespace ClusterDns.Kubernetes.Conversion;

/// <summary>The Kubernetes object types we read; Endpoints (legacy) converts into an EndpointSlice.</summary>
internal enum ObjectType
{
    Service,
    EndpointSlice,
    Endpoints,
    Pod,
    Namespace,
    ServiceImport,

    /// <summary>An EndpointSlice read as a ServiceImport's (its multicluster labels).</summary>
    MulticlusterEndpointSlice,
}
