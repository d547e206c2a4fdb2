namespace ClusterDns.Kubernetes.Api;

internal static class ResourcePaths
{
    /// <summary>The label that makes an EndpointSlice one of a ServiceImport's (KEP-1645); the source cluster's id is beside it.</summary>
    public const string MulticlusterServiceNameLabel = "multicluster.kubernetes.io/service-name";

    /// <summary>A kind whose resource may not exist (a CRD): 404 means "not installed", not an error.</summary>
    public static bool MayBeAbsent(ResourceKind kind) => kind == ResourceKind.ServiceImport;

    public static string For(ResourceKind kind) => kind switch
    {
        ResourceKind.Service => "/api/v1/services",
        ResourceKind.EndpointSlice => "/apis/discovery.k8s.io/v1/endpointslices",
        ResourceKind.Pod => "/api/v1/pods",
        ResourceKind.ServiceImport => "/apis/multicluster.x-k8s.io/v1alpha1/serviceimports",
        ResourceKind.MulticlusterEndpointSlice => "/apis/discovery.k8s.io/v1/endpointslices",
        _ => "/api/v1/namespaces",
    };
}
