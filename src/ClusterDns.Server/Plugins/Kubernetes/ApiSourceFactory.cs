using ClusterDns.Corefile;
using ClusterDns.Kubernetes;
using Microsoft.Extensions.Logging;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// Connects the <c>kubernetes</c> plugin to an API server, as CoreDNS chooses: <c>kubeconfig</c>, else
/// <c>endpoint</c> (with <c>tls</c>), else the pod's in-cluster service account. Errors name the directive's line.
/// </summary>
public static class ApiSourceFactory
{
    public static ApiServerSource Create(KubernetesOptions options, Directive directive, ILogger logger)
    {
        KubernetesConnection? connection;
        string? error;
        if (options.KubeConfigPath is { } path)
        {
            if (!KubeConfigLoader.TryLoad(path, options.KubeConfigContext, out connection, out error))
            {
                throw directive.Error(error ?? $"cannot load kubeconfig '{path}'");
            }
        }
        else if (options.Endpoint is { } endpoint)
        {
            var tls = options.Tls;
            if (!KubernetesConnection.TryCreateForEndpoint(endpoint, out connection, out error, tls?.Ca, tls?.Cert, tls?.Key))
            {
                throw directive.Error(error ?? $"cannot use endpoint '{endpoint}'");
            }
        }
        else if (!KubernetesConnection.TryCreateInCluster(out connection, out error))
        {
            throw directive.Error($"no Kubernetes API to watch: {error}. Outside a cluster give 'kubeconfig PATH', 'endpoint URL', or our 'manifests DIR'");
        }

        var kinds = new List<ResourceKind> { ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Namespace };
        if (options.Pods == PodsMode.Verified)
        {
            kinds.Add(ResourceKind.Pod);
        }
        if (options.Multicluster.Count > 0)
        {
            // KEP-1645: the imports, and the slices their controller labels with the import's name.
            kinds.Add(ResourceKind.ServiceImport);
            kinds.Add(ResourceKind.MulticlusterEndpointSlice);
        }
        if (options.NoEndpoints)
        {
            kinds.Remove(ResourceKind.EndpointSlice);
            kinds.Remove(ResourceKind.MulticlusterEndpointSlice);
        }
        var sourceOptions = new ApiServerSourceOptions
        {
            LabelSelector = options.Labels,
            NamespaceLabelSelector = options.NamespaceLabels,
            Namespaces = options.Namespaces.ToArray(),
        };
        return new ApiServerSource(connection!, kinds, sourceOptions, logger);
    }
}
