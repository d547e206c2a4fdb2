using System.Net;

namespace ClusterDns.Kubernetes;

/// <summary>One endpoint of an EndpointSlice.</summary>
public sealed class EndpointObject
{
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];

    /// <summary>conditions.ready is true or unset.</summary>
    public bool Ready { get; init; } = true;

    public string? Hostname { get; init; }

    /// <summary>The name of targetRef when its kind is Pod.</summary>
    public string? TargetPodName { get; init; }

    public string? NodeName { get; init; }
}
