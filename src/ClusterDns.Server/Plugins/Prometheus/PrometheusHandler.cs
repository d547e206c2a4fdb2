using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary>
/// Marks a server block whose queries are counted. It only passes the query on: the counting happens in
/// <see cref="DnsMetricsObserver"/> once the response is final (including the server's own bare responses).
/// </summary>
internal sealed class PrometheusHandler : DnsHandler
{
    public override string Name => "prometheus";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context) => NextAsync(context);
}
