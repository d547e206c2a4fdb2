using System.Net;

namespace ClusterDns.Kubernetes;

/// <summary>A multicluster.x-k8s.io/v1alpha1 ServiceImport (KEP-1645): a Service exported by the clusters of a clusterset.</summary>
public sealed class ServiceImportObject
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }

    /// <summary>spec.type is Headless (else ClusterSetIP).</summary>
    public bool IsHeadless { get; init; }

    /// <summary>spec.ips: the clusterset IPs of a ClusterSetIP import.</summary>
    public IReadOnlyList<IPAddress> Ips { get; init; } = [];

    public IReadOnlyList<ServicePort> Ports { get; init; } = [];
    public string ResourceVersion { get; init; } = "";

    public string Key => Namespace + "/" + Name;
}
