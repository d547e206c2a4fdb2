using System.Text;
using ClusterDns.NodeSetup;
using ClusterDns.Server.Http;
using ClusterDns.Server.Plugins.Prometheus;
using ClusterDns.Server.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterDns.NodeCache;

/// <summary>
/// node-cache's work around the DNS server, on the host's lifecycle: the interface before the listeners bind
/// (they bind the local addresses), then the pidfile, the metrics listener, the rules, and a loop that re-checks the
/// rules and interface every sync interval and the Corefile inputs every <see cref="ConfigPeriod"/>; on stop,
/// the teardown (unless <c>-skipteardown</c>).
/// </summary>
internal sealed partial class NodeCacheService(
    NodeCacheOptions options,
    NodeNetworkSetup network,
    NodeCacheCorefile corefile,
    SetupErrors errors,
    MetricsRegistry registry,
    ILoggerFactory loggerFactory) : IHostedLifecycleService, IAsyncDisposable
{
    /// <summary>How often node-cache reads the ConfigMap folders (kube-dns's ConfigPeriod).</summary>
    public static readonly TimeSpan ConfigPeriod = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger = loggerFactory.CreateLogger("nodecache");
    private readonly CancellationTokenSource _stopping = new();
    private HttpEndpointHost? _metrics;
    private Task? _loop;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        network.SyncInterface();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (options.Pidfile is { } pidfile)
        {
            await File.WriteAllTextAsync(pidfile, Environment.ProcessId + "\n", cancellationToken).ConfigureAwait(false);
        }
        await StartMetricsAsync(cancellationToken).ConfigureAwait(false);
        network.Sync();
        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
    }

    private async Task StartMetricsAsync(CancellationToken cancellationToken)
    {
        var routes = new HttpRouteSet();
        routes.Map(options.MetricsListenAddress, "/metrics", ServeMetricsAsync);
        _metrics = new HttpEndpointHost(loggerFactory);
        try
        {
            await _metrics.ApplyAsync(routes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            // node-cache logs this and runs on without its metrics listener.
            LogMetricsFailed(_logger, options.MetricsListenAddress.ToString(), exception.Message);
        }
    }

    // The same exposition as the prometheus plugin's (text, or OpenMetrics when the scraper prefers it).
    private Task ServeMetricsAsync(HttpContext context) => new MetricsEndpoint(registry).ServeAsync(context);

    private async Task LoopAsync(CancellationToken stopping)
    {
        var nextSync = DateTime.UtcNow + options.SyncInterval;
        var nextConfig = DateTime.UtcNow + ConfigPeriod;
        while (!stopping.IsCancellationRequested)
        {
            var now = DateTime.UtcNow;
            var wake = nextSync < nextConfig ? nextSync : nextConfig;
            if (wake > now)
            {
                try
                {
                    await Task.Delay(wake - now, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            now = DateTime.UtcNow;
            if (now >= nextSync)
            {
                network.Sync();
                nextSync = now + options.SyncInterval;
            }
            if (now >= nextConfig)
            {
                if (corefile.Update() is { } problem)
                {
                    LogConfigFailed(_logger, problem);
                    errors.Count("configmap");
                }
                nextConfig = now + ConfigPeriod;
            }
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        if (!options.SkipTeardown)
        {
            network.Teardown();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (options.Pidfile is { } pidfile)
        {
            File.Delete(pidfile);
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_metrics is not null)
        {
            await _metrics.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed to start metrics handler on {Address}: {Message}")]
    private static partial void LogMetricsFailed(ILogger logger, string address, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invalid config, keeping the last good Corefile: {Problem}")]
    private static partial void LogConfigFailed(ILogger logger, string problem);
}
