using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// The objects of the zone at one moment, as the state file keeps them (immutable objects; the collections are
/// copies), and the SOA serial published with them, so a restart never shows a smaller one.
/// </summary>
public sealed record ClusterState(
    IReadOnlyCollection<ServiceObject> Services,
    IReadOnlyCollection<EndpointSliceObject> Slices,
    IReadOnlyCollection<PodObject> Pods,
    IReadOnlyCollection<NamespaceObject> Namespaces,
    uint Serial = 0);
