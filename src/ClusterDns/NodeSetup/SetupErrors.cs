using ClusterDns.Server.Telemetry;
using Prometheus;

namespace ClusterDns.NodeSetup;

/// <summary><c>coredns_nodecache_setup_errors_total{errortype}</c>, with node-cache's label values, each present from the start.</summary>
internal sealed class SetupErrors
{
    public const string MetricName = "coredns_nodecache_setup_errors_total";

    private readonly Counter _family;

    public SetupErrors(MetricsRegistry registry)
    {
        _family = registry.Counter(MetricName, "The number of errors during periodic network setup for node-cache", "errortype");
        foreach (string type in (string[])["iptables", "iptables_lock", "interface_add", "interface_check", "configmap"])
        {
            _family.WithLabels(type);
        }
    }

    public void Count(string errorType) => _family.WithLabels(errorType).Inc();
}
