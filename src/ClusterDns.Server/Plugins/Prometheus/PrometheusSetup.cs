using System.Globalization;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Http;
using ClusterDns.Server.Telemetry;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary>
/// <c>prometheus [ADDR] { runtime_metrics; tls CERT KEY [CA] }</c>: count this block's queries and serve every
/// metric on ADDR (default <c>:9153</c>) at <c>/metrics</c>, over HTTPS with <c>tls</c>.
/// </summary>
public sealed class PrometheusSetup : IPluginSetup
{
    public string Name => "prometheus";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive, block.Context.ResolvePath);
        var registry = block.Context.Metrics;
        if (!block.Context.MapHttp(options.Address, "/metrics", new MetricsEndpoint(registry).ServeAsync, options.Tls))
        {
            throw directive.Error($"{options.Address} is already served by another block with other TLS settings (plain HTTP or another certificate)");
        }

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

    public static PrometheusOptions Parse(Directive directive, Func<string, string>? resolvePath = null)
    {
        directive.ExpectArgCount(0, 1);
        HttpTlsSettings? tls = null;
        foreach (var sub in directive.Block)
        {
            switch (sub.Name)
            {
                case "runtime_metrics":
                    // CoreDNS 1.13 adds the Go runtime's go_* metrics. Their .NET counterparts (dotnet_*,
                    // system_runtime_dotnet_*, process_*) are always exported, so this changes nothing.
                    sub.ExpectArgCount(0, 0);
                    sub.ExpectNoBlock();
                    break;
                case "tls":
                    sub.ExpectArgCount(2, 3);
                    sub.ExpectNoBlock();
                    tls = PrometheusTls.Load(sub, resolvePath ?? (p => p));
                    break;
                default:
                    throw directive.UnknownSubdirective(sub);
            }
        }
        var address = directive.Args.Count == 0 ? PrometheusOptions.Default.Address : directive.Args[0].ParseIPEndPoint(PrometheusOptions.DefaultPort);
        return new PrometheusOptions(address, tls);
    }
}
