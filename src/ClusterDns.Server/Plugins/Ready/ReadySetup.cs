using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Ready;

/// <summary><c>ready [ADDR]</c>: GET /ready on ADDR (default <c>:8181</c>).</summary>
public sealed class ReadySetup : IPluginSetup
{
    public string Name => "ready";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive);
        // The context's list is filled by every block's plugins, also those set up after this one.
        var endpoint = new ReadyEndpoint(block.Context.Readiness, block.Context.Shutdown);
        block.Context.MapHttp(options.Address, "/ready", endpoint.ServeAsync);
    }

    public static ReadyOptions Parse(Directive directive)
    {
        directive.ExpectArgCount(0, 1);
        directive.ExpectNoBlock();
        return new ReadyOptions(directive.Args.Count == 0
            ? new IPEndPoint(IPAddress.IPv6Any, ReadyOptions.DefaultPort)
            : directive.Args[0].ParseIPEndPoint(ReadyOptions.DefaultPort));
    }
}
