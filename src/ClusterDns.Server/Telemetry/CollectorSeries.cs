using Prometheus;

namespace ClusterDns.Server.Telemetry;

/// <summary>What the library's collectors lack for series that describe the running configuration.</summary>
public static class CollectorSeries
{
    /// <summary>The one series of a collector without labels (the library keeps its own accessor internal).</summary>
    public static TChild NoLabels<TChild>(this ICollector<TChild> collector) where TChild : ICollectorChild => collector.Unlabelled;

    /// <summary>
    /// Removes every labelled series (e.g. <c>coredns_plugin_enabled</c> when a new Corefile is loaded, so
    /// series of blocks that are gone disappear); handles already taken keep working but are no longer exposed.
    /// </summary>
    public static void RemoveAllSeries<TChild>(this Collector<TChild> collector) where TChild : ChildBase
    {
        foreach (var labelValues in collector.GetAllLabelValues().ToArray())
        {
            collector.RemoveLabelled(labelValues);
        }
    }
}
