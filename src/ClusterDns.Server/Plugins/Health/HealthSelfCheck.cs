using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Server.Config;
using ClusterDns.Server.Telemetry;
using Prometheus;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Health;

/// <summary>
/// CoreDNS's overload signal: once a second the process GETs its own <c>/health</c> and records how long that
/// took (<c>coredns_health_request_duration_seconds</c>) and whether it failed
/// (<c>coredns_health_request_failures_total</c>). A local request that slows down means the process cannot keep
/// up with its load; one that fails (timeout, refused) means the endpoint the kubelet probes is not answering.
/// </summary>
internal sealed partial class HealthSelfCheck : IServerComponent
{
    /// <summary>CoreDNS's client timeout for the self-check.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly Func<Uri?> _target;
    private readonly Histogram.Child _duration;
    private readonly Counter.Child _failures;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    // No proxy: HTTP_PROXY in a pod's environment must not send the self-check elsewhere (as CoreDNS bypasses it).
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout };
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public HealthSelfCheck(Func<Uri?> target, Histogram.Child duration, Counter.Child failures, TimeSpan interval, ILogger logger)
    {
        _target = target;
        _duration = duration;
        _failures = failures;
        _interval = interval;
        _logger = logger;
    }

    /// <summary>The URL to GET for an endpoint bound to <paramref name="bound"/>: an unspecified address means loopback.</summary>
    public static Uri UrlFor(IPEndPoint bound)
    {
        var address = bound.Address;
        if (address.Equals(IPAddress.Any))
        {
            address = IPAddress.Loopback;
        }
        else if (address.Equals(IPAddress.IPv6Any))
        {
            address = IPAddress.IPv6Loopback;
        }
        return new Uri("http://" + new IPEndPoint(address, bound.Port) + "/health");
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Dispose();
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await CheckOnceAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One self-check: any HTTP reply counts as reached (503 in lameduck too), as in CoreDNS.</summary>
    public async Task CheckOnceAsync(CancellationToken stopping)
    {
        var url = _target();
        if (url is null)
        {
            return;
        }
        long start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _client.GetAsync(url, HttpCompletionOption.ResponseContentRead, stopping).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(start);
            _duration.Observe(elapsed.TotalSeconds);
            if (elapsed > TimeSpan.FromSeconds(1))
            {
                LogSlow(_logger, url, elapsed.TotalSeconds);
            }
        }
        catch (Exception exception) when (!stopping.IsCancellationRequested
            && exception is HttpRequestException or TaskCanceledException or SocketException or IOException)
        {
            _duration.Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
            _failures.Inc();
            LogFailed(_logger, url, exception.Message);
        }
    }

    private void Dispose()
    {
        _client.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 620, Level = LogLevel.Warning, Message = "Local health request to {Url} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Uri url, string reason);

    [LoggerMessage(EventId = 621, Level = LogLevel.Warning, Message = "Local health request to {Url} took more than 1s: {Seconds:0.000}s")]
    private static partial void LogSlow(ILogger logger, Uri url, double seconds);
}
