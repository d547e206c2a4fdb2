namespace ClusterDns.Kubernetes;

public sealed class EndpointSliceObject
{
    public required string Namespace { get; init; }

    /// <summary>The slice name; "endpoints:NAME" for a slice converted from a v1 Endpoints object.</summary>
    public required string Name { get; init; }

    /// <summary>The kubernetes.io/service-name label.</summary>
    public string? ServiceName { get; init; }

    /// <summary>The <c>multicluster.kubernetes.io/source-cluster</c> label: the cluster id of a ServiceImport's slice.</summary>
    public string? SourceCluster { get; init; }

    /// <summary>IPv4, IPv6 or FQDN.</summary>
    public required string AddressType { get; init; }

    public IReadOnlyList<EndpointObject> Endpoints { get; init; } = [];
    public IReadOnlyList<ServicePort> Ports { get; init; } = [];
    public string ResourceVersion { get; init; } = "";

    /// <summary>When the change behind this slice happened (annotation <c>endpoints.kubernetes.io/last-change-trigger-time</c>).</summary>
    public DateTimeOffset? LastChangeTriggerTime { get; init; }

    public string Key => Namespace + "/" + Name;
}
