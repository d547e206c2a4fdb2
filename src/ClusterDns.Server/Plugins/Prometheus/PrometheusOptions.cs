using System.Net;
using ClusterDns.Server.Http;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary><c>prometheus [ADDR] { runtime_metrics; tls CERT KEY [CA] }</c>: where and how <c>/metrics</c> is served.</summary>
public sealed record PrometheusOptions(IPEndPoint Address, HttpTlsSettings? Tls = null)
{
    public const int DefaultPort = 9153;

    public static PrometheusOptions Default { get; } = new(new IPEndPoint(IPAddress.IPv6Any, DefaultPort));
}
