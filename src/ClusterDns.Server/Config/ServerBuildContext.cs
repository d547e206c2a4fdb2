using System.Net;
using ClusterDns.Server.Http;
using ClusterDns.Server.Telemetry;
using Prometheus;
using ClusterDns.Server.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Config;

/// <summary>
/// What every plugin setup of one Corefile load shares: logging, paths, what the pipeline must run, and the
/// process-wide services (metrics, HTTP, shutdown) the host hands in. A load without a host gets its own.
/// </summary>
public sealed class ServerBuildContext
{
    private HttpEndpointHost? _httpHost;
    private HttpRouteSet? _httpRoutes;

    public ServerBuildContext(string corefilePath, ILoggerFactory? loggerFactory = null, Func<string, string?>? environment = null)
    {
        CorefilePath = corefilePath;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
    }

    public string CorefilePath { get; }

    public ILoggerFactory LoggerFactory { get; }

    public Func<string, string?> Environment { get; }

    /// <summary>Components to run while this pipeline serves.</summary>
    public List<IServerComponent> Components { get; } = new();

    /// <summary>Handlers and components that can be not ready (the <c>ready</c> plugin asks them).</summary>
    public List<IReadinessReporter> Readiness { get; } = new();

    /// <summary>Sources that can say which objects an answer came from (<c>/explain</c> on the health port).</summary>
    public List<IAnswerExplainer> Explainers { get; } = new();

    /// <summary>The process's metrics registry: the host passes its own, so families survive reloads.</summary>
    public MetricsRegistry Metrics { get; init; } = new();

    /// <summary>Whether the process is shutting down (<c>health</c> and <c>ready</c> answer 503 from then on).</summary>
    public ShutdownState Shutdown { get; init; } = new();

    /// <summary>The process's HTTP servers (<c>health</c>, <c>ready</c>, <c>prometheus</c> share them by address).</summary>
    public HttpEndpointHost HttpHost
    {
        get => _httpHost ??= new HttpEndpointHost(LoggerFactory);
        init => _httpHost = value;
    }

    /// <summary>This load's lameduck and reload schedule, filled by <c>health</c> and <c>reload</c>.</summary>
    public LifecycleSettings Lifecycle { get; } = new();

    /// <summary>This load's <c>coredns_plugin_enabled</c> triples, filled by <c>prometheus</c>.</summary>
    public PluginEnabledRecords PluginsEnabled { get; } = new();

    /// <summary>Serves <paramref name="path"/> on <paramref name="address"/> while this pipeline runs.</summary>
    /// <returns>False when another block already serves this address with other TLS settings.</returns>
    public bool MapHttp(IPEndPoint address, string path, RequestDelegate handler, HttpTlsSettings? tls = null)
    {
        if (_httpRoutes is null)
        {
            _httpRoutes = new HttpRouteSet();
            // First among the components: probes answer while slower components (informers) still start.
            Components.Insert(0, new HttpRoutesComponent(HttpHost, _httpRoutes));
        }
        return _httpRoutes.Map(address, path, handler, tls);
    }

    /// <summary>Resolves a path from the Corefile: relative paths are relative to the Corefile's folder.</summary>
    public string ResolvePath(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(CorefilePath)) ?? ".", path));
}
