using System.Globalization;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Telemetry;
using Prometheus;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// How fresh the cluster zone is: a kind whose watch has been down (no stream open: reconnecting, relisting or
/// failing) longer than <c>stale_after</c> makes the plugin unready, so the replica leaves the Service while it
/// keeps answering from the last known state. An open but silent watch is alive: we ask for bookmarks.
/// </summary>
public sealed class SourceFreshness(IClusterSource source, TimeSpan staleAfter)
{
    public const string LastEventAgeMetric = "coredns_kubernetes_watch_last_event_age_seconds";
    public const string WatchOpenMetric = "coredns_kubernetes_watch_open";

    /// <summary>Zero or less disables the check.</summary>
    public TimeSpan StaleAfter => staleAfter;

    /// <summary>"EndpointSlice watch down for 45s (…)" for the first kind down too long; null when all are fresh.</summary>
    public string? StaleReason()
    {
        if (staleAfter <= TimeSpan.Zero)
        {
            return null;
        }
        foreach (var kind in source.Kinds)
        {
            if (source.Watch(kind) is { Open: false } health && health.DownFor > staleAfter)
            {
                var seconds = ((long)health.DownFor.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return health.LastError is { } error ? $"{kind} watch down for {seconds}s ({error})" : $"{kind} watch down for {seconds}s";
            }
        }
        return null;
    }

    /// <summary>
    /// The per-kind gauges, read at scrape time. A reloaded plugin registers again and the series follow its new
    /// source. Sources without watches (manifests) have none.
    /// </summary>
    public void Register(MetricsRegistry registry)
    {
        var age = registry.GaugeCallback(LastEventAgeMetric, "Seconds since the last list, watch event or bookmark of a kind.", "kind");
        var open = registry.GaugeCallback(WatchOpenMetric, "Whether the watch of a kind is open (1) or down (0).", "kind");
        foreach (var kind in source.Kinds)
        {
            if (source.Watch(kind) is null)
            {
                continue;
            }
            var label = kind.ToString();
            age.Set(() => source.Watch(kind)?.LastEventAge.TotalSeconds ?? throw new InvalidOperationException(), label);
            open.Set(() => source.Watch(kind) is { Open: true } ? 1 : 0, label);
        }
    }
}
