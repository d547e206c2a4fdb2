using System.Net;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary><c>prometheus [ADDR]</c>: where <c>/metrics</c> is served.</summary>
public sealed record PrometheusOptions(IPEndPoint Address)
{
    public const int DefaultPort = 9153;

    public static PrometheusOptions Default { get; } = new(new IPEndPoint(IPAddress.IPv6Any, DefaultPort));
}
