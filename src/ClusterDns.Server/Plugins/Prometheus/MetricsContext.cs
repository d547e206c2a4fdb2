using ClusterDns.Server.Config;
using ClusterDns.Server.Metrics;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary>
/// Where plugin setups find the process's metrics registry: <c>block.Context.Metrics()</c>. The host seeds its
/// registry into every Corefile load, so families survive reloads; a load without a host gets its own.
/// </summary>
public static class MetricsContext
{
    public static MetricsRegistry Metrics(this ServerBuildContext context) =>
        context.GetOrAddShared(() => new MetricsRegistry());
}
