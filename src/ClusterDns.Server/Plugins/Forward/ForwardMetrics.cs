using System.Runtime.CompilerServices;
using ClusterDns.Server.Config;
using ClusterDns.Server.Telemetry;
using Prometheus;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// CoreDNS's forward metrics, read from the handlers' counters at scrape time. One instance per Corefile load
/// (shared by its blocks): the label-less totals sum over every forward handler of the load.
/// </summary>
internal sealed class ForwardMetrics
{
    // Keyed by the load, so the build context need not know a forward type; the entry goes with the load.
    private static readonly ConditionalWeakTable<ServerBuildContext, ForwardMetrics> ByLoad = new();

    private readonly List<ForwardHandler> _handlers = new();

    /// <summary>The instance of this Corefile load.</summary>
    public static ForwardMetrics Of(ServerBuildContext context) => ByLoad.GetValue(context, _ => new ForwardMetrics());

    public void Register(MetricsRegistry registry, ForwardHandler handler)
    {
        lock (_handlers)
        {
            _handlers.Add(handler);
        }
        registry.CounterCallback("coredns_forward_healthcheck_broken_total", "Counter of the number of complete failures of the healthchecks.")
            .Set(() => Sum(h => h.HealthcheckBroken));
        registry.CounterCallback("coredns_forward_max_concurrent_rejects_total", "Counter of the number of queries rejected because the concurrent queries were at maximum.")
            .Set(() => Sum(h => h.MaxConcurrentRejects));
        registry.CounterCallback("coredns_forward_client_share_rejects_total",
                "Counter of the queries rejected because their client address held its share of max_concurrent (a part of coredns_forward_max_concurrent_rejects_total).")
            .Set(() => Sum(h => h.ClientShareRejects));

        foreach (var upstream in handler.Upstreams)
        {
            Attach(registry, upstream);
        }
        // Host name upstreams that resolve to a new address later get their series then.
        handler.UpstreamAdded = upstream => Attach(registry, upstream);
    }

    private static void Attach(MetricsRegistry registry, Upstream upstream)
    {
        var hits = registry.CounterCallback("coredns_proxy_conn_cache_hits_total", "Counter of connection cache hits per upstream and protocol.", "proxy_name", "to", "proto");
        var misses = registry.CounterCallback("coredns_proxy_conn_cache_misses_total", "Counter of connection cache misses per upstream and protocol.", "proxy_name", "to", "proto");
        string to = upstream.Address.EndPoint.ToString();
        upstream.Metrics = new UpstreamMetrics(registry, to);
        string proto = upstream.Address.Protocol;
        misses.Set(() => upstream.ConnectionOpens, "forward", to, proto);
        if (!upstream.Address.Https)
        {
            // HttpClient's pool does not say when it reuses a connection; only opened ones are counted for https.
            hits.Set(() => upstream.ConnectionReuses, "forward", to, proto);
        }
    }

    private double Sum(Func<ForwardHandler, long> read)
    {
        lock (_handlers)
        {
            long total = 0;
            foreach (var handler in _handlers)
            {
                total += read(handler);
            }
            return total;
        }
    }
}
