using ClusterDns.Server.Telemetry;
using Prometheus;

namespace ClusterDns.Server.Plugins.Cache;

/// <summary>
/// CoreDNS's cache metrics, read from the handler's counters at scrape time (nothing extra on the query path).
/// Labels: <c>server</c> (<c>dns://:53</c>), <c>zones</c> (the block's zones), <c>view</c> (always empty), <c>type</c>.
/// </summary>
internal static class CacheMetrics
{
    public static void Register(MetricsRegistry registry, string server, string zones, CacheHandler cache)
    {
        var entries = registry.GaugeCallback("coredns_cache_entries", "The number of elements in the cache.", "server", "type", "zones", "view");
        entries.Set(() => cache.Success.Count, server, "success", zones, "");
        entries.Set(() => cache.Denial.Count, server, "denial", zones, "");

        var hits = registry.CounterCallback("coredns_cache_hits_total", "The count of cache hits.", "server", "type", "zones", "view");
        hits.Set(() => cache.SuccessHits, server, "success", zones, "");
        hits.Set(() => cache.DenialHits, server, "denial", zones, "");

        var evictions = registry.CounterCallback("coredns_cache_evictions_total", "The count of cache evictions.", "server", "type", "zones", "view");
        evictions.Set(() => cache.Success.Evictions, server, "success", zones, "");
        evictions.Set(() => cache.Denial.Evictions, server, "denial", zones, "");

        registry.CounterCallback("coredns_cache_misses_total", "The count of cache misses.", "server", "zones", "view")
            .Set(() => cache.Misses, server, zones, "");
        registry.CounterCallback("coredns_cache_requests_total", "The count of cache requests.", "server", "zones", "view")
            .Set(() => cache.Hits + cache.Misses + cache.StaleServed, server, zones, "");
        registry.CounterCallback("coredns_cache_prefetch_total", "The number of times the cache has prefetched a cached item.", "server", "zones", "view")
            .Set(() => cache.Prefetches, server, zones, "");
        registry.CounterCallback("coredns_cache_drops_total", "The number responses that are not cached, because the reply is malformed.", "server", "zones", "view")
            .Set(() => cache.Drops, server, zones, "");
        registry.CounterCallback("coredns_cache_served_stale_total", "The number of requests served from stale cache entries.", "server", "zones", "view")
            .Set(() => cache.StaleServed, server, zones, "");
    }
}
