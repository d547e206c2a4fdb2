using ClusterDns.Server.Telemetry;
using Prometheus;

namespace ClusterDns.Server.Plugins.Autopath;

/// <summary>CoreDNS's <c>coredns_autopath_success_total{server}</c>; the block's series is resolved once.</summary>
internal sealed class AutopathMetrics
{
    private readonly Counter.Child _success;

    public AutopathMetrics(MetricsRegistry registry, string server)
    {
        _success = registry.Counter("coredns_autopath_success_total", "Counter of requests that did autopath.", "server")
            .WithLabels(server);
    }

    public double Value => _success.Value;

    public void Success() => _success.Inc();
}
