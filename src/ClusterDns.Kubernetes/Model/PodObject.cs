using System.Net;

namespace ClusterDns.Kubernetes;

public sealed class PodObject
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }

    /// <summary>From status.podIPs, else status.podIP.</summary>
    public IReadOnlyList<IPAddress> PodIPs { get; init; } = [];

    public string? Phase { get; init; }
    public string ResourceVersion { get; init; } = "";

    public string Key => Namespace + "/" + Name;
}
