using ClusterDns.Server.Telemetry;
using Prometheus;

namespace ClusterDns.Server.Plugins.Dns64;

/// <summary>CoreDNS's <c>coredns_dns64_requests_translated_total{server}</c>; the block's series is resolved once.</summary>
internal sealed class Dns64Metrics
{
    private readonly Counter.Child _translated;

    public Dns64Metrics(MetricsRegistry registry, string server)
    {
        _translated = registry.Counter("coredns_dns64_requests_translated_total", "Counter of DNS requests translated by dns64.", "server")
            .WithLabels(server);
    }

    public double Value => _translated.Value;

    public void Translated() => _translated.Inc();
}
