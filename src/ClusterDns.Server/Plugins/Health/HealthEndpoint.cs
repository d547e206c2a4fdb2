using ClusterDns.Server.Config;
using Microsoft.AspNetCore.Http;

namespace ClusterDns.Server.Plugins.Health;

/// <summary>GET /health: 200 "OK" while serving, 503 from SIGTERM on (lameduck), so the kubelet stops routing to us.</summary>
internal sealed class HealthEndpoint
{
    private static readonly byte[] Ok = "OK"u8.ToArray();
    private static readonly byte[] ShuttingDown = "shutting down"u8.ToArray();

    private readonly ShutdownState _shutdown;

    public HealthEndpoint(ShutdownState shutdown)
    {
        _shutdown = shutdown;
    }

    public async Task ServeAsync(HttpContext context)
    {
        bool healthy = !_shutdown.IsShuttingDown;
        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        var body = healthy ? Ok : ShuttingDown;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body).ConfigureAwait(false);
    }
}
