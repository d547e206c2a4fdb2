using ClusterDns.Server.Config;
using ClusterDns.Server.Http;
using ClusterDns.Server.Telemetry;
using Prometheus;
using ClusterDns.Server.Plugins.Prometheus;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Hosting;

/// <summary>
/// What outlives a Corefile load: the metrics registry and DNS metrics observer, the HTTP endpoint servers and
/// the shutdown state. <see cref="NewContext"/> hands them to each load, so plugins of every reload find the
/// same instances.
/// </summary>
public sealed class ProcessServices : IAsyncDisposable
{
    public ProcessServices(ILoggerFactory loggerFactory, bool processMetrics = true)
    {
        Registry = new MetricsRegistry();
        if (processMetrics)
        {
            _runtimeMetrics = ProcessMetrics.Register(Registry);
        }
        Observer = new DnsMetricsObserver(Registry);
        Http = new HttpEndpointHost(loggerFactory);
        Registry.CounterCallback("coredns_lameduck_late_queries_total",
                "Queries received after this replica left its Service's endpoints and the rotation grace passed (ClusterDns).")
            .Set(() => Shutdown.LateQueries.Count);
        ReloadFailed = Registry.Counter(DnsMetricNames.ReloadFailedTotal, "Counter of the number of failed reload attempts.").NoLabels();
        _reloadVersion = Registry.Gauge(DnsMetricNames.ReloadVersionInfo,
            "A metric with a constant '1' value labeled by hash, and value which type of hash generated.", "hash", "value");
    }

    private readonly Gauge _reloadVersion;
    private readonly IDisposable? _runtimeMetrics;

    public MetricsRegistry Registry { get; }

    public DnsMetricsObserver Observer { get; }

    public HttpEndpointHost Http { get; }

    public ShutdownState Shutdown { get; } = new();

    /// <summary><c>coredns_reload_failed_total</c>.</summary>
    public Counter.Child ReloadFailed { get; }

    /// <summary>
    /// <c>coredns_reload_version_info{hash="sha512",value=…}</c>: one series for the running Corefile, as CoreDNS
    /// sets it, and only while that Corefile uses <c>reload</c>.
    /// </summary>
    public void PublishRunning(ServerPipeline pipeline)
    {
        _reloadVersion.RemoveAllSeries();
        if (pipeline.Context.Lifecycle.Reload is not null)
        {
            _reloadVersion.WithLabels("sha512", pipeline.ContentHash).Set(1);
        }
    }

    /// <summary>The build context of one Corefile load, holding this process's services.</summary>
    public ServerBuildContext NewContext(string corefilePath, ILoggerFactory loggerFactory) =>
        new(corefilePath, loggerFactory) { Metrics = Registry, HttpHost = Http, Shutdown = Shutdown };

    public ValueTask DisposeAsync()
    {
        _runtimeMetrics?.Dispose();
        return Http.DisposeAsync();
    }
}
