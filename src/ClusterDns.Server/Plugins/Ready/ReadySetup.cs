using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Ready;

/// <summary>
/// <c>ready [ADDR] { monitor until-ready|continuously }</c>: GET /ready on ADDR (default <c>:8181</c>). until-ready
/// (CoreDNS 1.13): once every plugin was ready, /ready stays 200 (until shutdown); continuously (our default).
/// </summary>
public sealed class ReadySetup : IPluginSetup
{
    public string Name => "ready";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive);
        // The context's list is filled by every block's plugins, also those set up after this one.
        var endpoint = new ReadyEndpoint(block.Context.Readiness, block.Context.Shutdown, options.MonitorContinuously);
        if (!block.Context.MapHttp(options.Address, "/ready", endpoint.ServeAsync))
        {
            throw directive.Error($"{options.Address} is served over HTTPS by 'prometheus ... {{ tls }}' in another block; use another address");
        }
    }

    public static ReadyOptions Parse(Directive directive)
    {
        directive.ExpectArgCount(0, 1);
        bool continuously = true;
        foreach (var sub in directive.Block)
        {
            if (sub.Name != "monitor")
            {
                throw directive.UnknownSubdirective(sub);
            }
            sub.ExpectArgCount(1, 1);
            sub.ExpectNoBlock();
            continuously = sub.Args[0].Text switch
            {
                "until-ready" => false,
                "continuously" => true,
                var other => throw sub.ArgError(0, $"monitor must be until-ready or continuously, not '{other}'"),
            };
        }
        return new ReadyOptions(directive.Args.Count == 0
            ? new IPEndPoint(IPAddress.IPv6Any, ReadyOptions.DefaultPort)
            : directive.Args[0].ParseIPEndPoint(ReadyOptions.DefaultPort), continuously);
    }
}
