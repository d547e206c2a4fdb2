using System.Text;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using Microsoft.AspNetCore.Http;

namespace ClusterDns.Server.Plugins.Ready;

/// <summary>
/// GET /ready: 200 "OK" when every readiness reporter of this pipeline is ready, else 503 with the names of the
/// ones that are not, one per line (as CoreDNS). Also 503 once shutdown has begun.
/// </summary>
internal sealed class ReadyEndpoint
{
    private readonly IReadOnlyList<IReadinessReporter> _reporters;
    private readonly ShutdownState _shutdown;

    public ReadyEndpoint(IReadOnlyList<IReadinessReporter> reporters, ShutdownState shutdown)
    {
        _reporters = reporters;
        _shutdown = shutdown;
    }

    public Task ServeAsync(HttpContext context)
    {
        var notReady = new StringBuilder();
        if (_shutdown.IsShuttingDown)
        {
            notReady.Append("shutting down\n");
        }
        foreach (var reporter in _reporters)
        {
            if (!reporter.IsReady)
            {
                notReady.Append(reporter.Name).Append('\n');
            }
        }
        var ready = notReady.Length == 0;
        var body = Encoding.UTF8.GetBytes(ready ? "OK" : notReady.ToString());
        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
