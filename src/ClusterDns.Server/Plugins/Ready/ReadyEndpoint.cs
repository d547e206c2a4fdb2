using System.Text;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using Microsoft.AspNetCore.Http;

namespace ClusterDns.Server.Plugins.Ready;

/// <summary>
/// GET /ready: 200 "OK" when every readiness reporter of this pipeline is ready, else 503 with the names of the
/// ones that are not, one per line (as CoreDNS), each followed by ": reason" when the reporter gives one. Also 503 once shutdown has begun.
/// </summary>
internal sealed class ReadyEndpoint
{
    private readonly IReadOnlyList<IReadinessReporter> _reporters;
    private readonly ShutdownState _shutdown;
    private readonly bool _continuously;
    private volatile bool _wasReady;

    public ReadyEndpoint(IReadOnlyList<IReadinessReporter> reporters, ShutdownState shutdown, bool continuously = true)
    {
        _reporters = reporters;
        _shutdown = shutdown;
        _continuously = continuously;
    }

    public Task ServeAsync(HttpContext context)
    {
        var notReady = new StringBuilder();
        if (_shutdown.IsShuttingDown)
        {
            notReady.Append("shutting down\n");
        }
        // monitor until-ready: once every plugin was ready, they are not asked again.
        foreach (var reporter in _continuously || !_wasReady ? _reporters : [])
        {
            if (!reporter.IsReady)
            {
                notReady.Append(reporter.Name);
                if (reporter.NotReadyReason is { } reason)
                {
                    notReady.Append(": ").Append(reason);
                }
                notReady.Append('\n');
            }
        }
        var ready = notReady.Length == 0;
        _wasReady |= ready;
        var body = Encoding.UTF8.GetBytes(ready ? "OK" : notReady.ToString());
        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
