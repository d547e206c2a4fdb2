namespace ClusterDns.Kubernetes.Api;

internal static class ResourcePaths
{
    public static string For(ResourceKind kind) => kind switch
    {
        ResourceKind.Service => "/api/v1/services",
        ResourceKind.EndpointSlice => "/apis/discovery.k8s.io/v1/endpointslices",
        ResourceKind.Pod => "/api/v1/pods",
        _ => "/api/v1/namespaces",
    };
}
