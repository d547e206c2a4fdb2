using System.Net;

namespace ClusterDns.Kubernetes;

public sealed class ServiceObject
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }

    /// <summary>ClusterIP, NodePort, LoadBalancer or ExternalName.</summary>
    public required string Type { get; init; }

    /// <summary>spec.clusterIP is "None".</summary>
    public bool IsHeadless { get; init; }

    /// <summary>From spec.clusterIPs, else spec.clusterIP; empty when headless or ExternalName.</summary>
    public IReadOnlyList<IPAddress> ClusterIPs { get; init; } = [];

    public string? ExternalName { get; init; }

    /// <summary>
    /// spec.externalIPs, then status.loadBalancer.ingress[].ip, in that order and without repeats: the addresses
    /// the k8s_external plugin publishes. Never cluster IPs.
    /// </summary>
    public IReadOnlyList<IPAddress> ExternalIPs { get; init; } = [];

    /// <summary>status.loadBalancer.ingress[].hostname of ingress points that have no IP (a cloud load balancer's name).</summary>
    public IReadOnlyList<string> IngressHostnames { get; init; } = [];
    public IReadOnlyList<ServicePort> Ports { get; init; } = [];
    public bool PublishNotReadyAddresses { get; init; }

    /// <summary>spec.selector is set: the endpoints are the controller's, not written by hand.</summary>
    public bool HasSelector { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels.Instance;
    public string ResourceVersion { get; init; } = "";

    public string Key => Namespace + "/" + Name;
}
