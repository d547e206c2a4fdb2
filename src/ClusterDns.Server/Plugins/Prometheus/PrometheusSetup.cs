using System.Globalization;
using System.Text;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Metrics;
using Microsoft.AspNetCore.Http;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary><c>prometheus [ADDR]</c>: count this block's queries and serve every metric on ADDR (default <c>:9153</c>) at <c>/metrics</c>.</summary>
public sealed class PrometheusSetup : IPluginSetup
{
    public string Name => "prometheus";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive);
        var registry = block.Context.Metrics;
        block.Context.MapHttp(options.Address, "/metrics", context => ServeAsync(context, registry));

        var records = block.Context.PluginsEnabled;
        var server = "dns://:" + block.Port.ToString(CultureInfo.InvariantCulture);
        var names = block.Source.Directives.Select(d => d.Name).Distinct(StringComparer.Ordinal).ToArray();
        // The view's name, read from the block itself: 'view' may come after 'prometheus' in the Corefile.
        var view = block.Source.Directives.FirstOrDefault(d => d.Name == "view" && d.Args.Count > 0)?.Args[0].Text ?? string.Empty;
        foreach (var zone in block.Zones)
        {
            foreach (var name in names)
            {
                records.Entries.Add((server, zone.ToString(), view, name));
            }
        }
        block.AddHandler(new PrometheusHandler());
    }

    public static PrometheusOptions Parse(Directive directive)
    {
        directive.ExpectArgCount(0, 1);
        foreach (var sub in directive.Block)
        {
            // runtime_metrics (CoreDNS 1.13) turns on Go runtime metrics. This process always exports its
            // process_* metrics; the go_* ones it adds mean nothing for .NET, so it is accepted and changes nothing.
            if (sub.Name != "runtime_metrics")
            {
                throw directive.UnknownSubdirective(sub);
            }
            sub.ExpectArgCount(0, 0);
            sub.ExpectNoBlock();
        }
        return directive.Args.Count == 0
            ? PrometheusOptions.Default
            : new PrometheusOptions(directive.Args[0].ParseIPEndPoint(PrometheusOptions.DefaultPort));
    }

    private static Task ServeAsync(HttpContext context, MetricsRegistry registry)
    {
        var body = Encoding.UTF8.GetBytes(registry.Scrape());
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = MetricsRegistry.ContentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
