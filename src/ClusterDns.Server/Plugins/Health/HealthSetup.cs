using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Health;

/// <summary>
/// <c>health [ADDR] { lameduck DURATION; rotation_grace DURATION }</c>: GET /health on ADDR (default <c>:8080</c>).
/// <c>rotation_grace</c> is ours: how long lameduck still answers after the replica left its Service's endpoints.
/// </summary>
public sealed class HealthSetup : IPluginSetup
{
    /// <summary>CoreDNS's plugin.SlimTimeBuckets: 0.25 ms × 10^n, 5 buckets.</summary>
    private static readonly double[] DurationBuckets = [0.00025, 0.0025, 0.025, 0.25, 2.5];

    /// <summary>CoreDNS checks its own /health once a second.</summary>
    private static readonly TimeSpan SelfCheckInterval = TimeSpan.FromSeconds(1);

    public string Name => "health";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive);
        var shutdown = block.Context.Shutdown;
        var metrics = block.Context.Metrics;
        var duration = metrics
            .Histogram("coredns_health_request_duration_seconds", "Histogram of the time (in seconds) each request took.", DurationBuckets)
            .NoLabels();
        var failures = metrics.Counter("coredns_health_request_failures_total", "The number of times the health check failed.").NoLabels();
        var endpoint = new HealthEndpoint(shutdown);
        if (!block.Context.MapHttp(options.Address, "/health", endpoint.ServeAsync))
        {
            throw directive.Error($"{options.Address} is served over HTTPS by 'prometheus ... {{ tls }}' in another block; use another address");
        }
        // Ours: which objects an answer came from (clusterdns explain; docs/operations.md, "Explain an answer").
        var explain = new ExplainEndpoint(block.Resolver, block.Context.Explainers);
        block.Context.MapHttp(options.Address, ExplainEndpoint.Path, explain.ServeAsync);
        // Added after MapHttp's component, so it starts once the endpoint listens.
        var http = block.Context.HttpHost;
        block.Context.Components.Add(new HealthSelfCheck(
            () => http.GetBoundEndPoint(options.Address) is { } bound ? HealthSelfCheck.UrlFor(bound) : null,
            duration, failures, SelfCheckInterval, block.Context.LoggerFactory.CreateLogger("ClusterDns.Health")));
        var lifecycle = block.Context.Lifecycle;
        if (options.Lameduck > lifecycle.Lameduck)
        {
            lifecycle.Lameduck = options.Lameduck;
        }
        if (options.RotationGrace is { } grace)
        {
            lifecycle.RotationGrace = grace;
        }
    }

    public static HealthOptions Parse(Directive directive)
    {
        directive.ExpectArgCount(0, 1);
        var address = directive.Args.Count == 0
            ? new IPEndPoint(IPAddress.IPv6Any, HealthOptions.DefaultPort)
            : directive.Args[0].ParseIPEndPoint(HealthOptions.DefaultPort);
        var lameduck = TimeSpan.Zero;
        TimeSpan? grace = null;
        foreach (var sub in directive.Block)
        {
            if (sub.Name is not ("lameduck" or "rotation_grace"))
            {
                throw directive.UnknownSubdirective(sub);
            }
            sub.ExpectArgCount(1, 1);
            sub.ExpectNoBlock();
            if (sub.Name == "lameduck")
            {
                lameduck = sub.Args[0].ParseDuration();
            }
            else
            {
                grace = sub.Args[0].ParseDuration();
            }
        }
        return new HealthOptions(address, lameduck, grace);
    }
}
