using System.Diagnostics;
using ClusterDns.Server.Config;
using ClusterDns.Server.Metrics;
using Microsoft.AspNetCore.Http;

namespace ClusterDns.Server.Plugins.Health;

/// <summary>GET /health: 200 "OK" while serving, 503 from SIGTERM on (lameduck), so the kubelet stops routing to us.</summary>
internal sealed class HealthEndpoint
{
    private static readonly byte[] Ok = "OK"u8.ToArray();
    private static readonly byte[] ShuttingDown = "shutting down"u8.ToArray();

    private readonly ShutdownState _shutdown;
    private readonly Histogram _duration;

    public HealthEndpoint(ShutdownState shutdown, Histogram duration)
    {
        _shutdown = shutdown;
        _duration = duration;
    }

    public async Task ServeAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        bool healthy = !_shutdown.IsShuttingDown;
        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        var body = healthy ? Ok : ShuttingDown;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body).ConfigureAwait(false);
        _duration.Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
