namespace ClusterDns.Kubernetes;

/// <summary>The Kubernetes resources ClusterDns reads.</summary>
public enum ResourceKind
{
    Service,
    EndpointSlice,
    Pod,
    Namespace,

    /// <summary>multicluster.x-k8s.io/v1alpha1 ServiceImport (the <c>multicluster</c> option); a CRD that may be absent.</summary>
    ServiceImport,

    /// <summary>EndpointSlices labelled <c>multicluster.kubernetes.io/service-name</c>: the endpoints of ServiceImports.</summary>
    MulticlusterEndpointSlice,
}
