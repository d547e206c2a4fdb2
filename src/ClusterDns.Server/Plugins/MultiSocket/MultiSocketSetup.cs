using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.MultiSocket;

/// <summary>
/// <c>multisocket [NUM_SOCKETS]</c> (CoreDNS 1.12): NUM_SOCKETS UDP and TCP sockets per address, sharing the
/// port through SO_REUSEPORT, each with its own receive thread(s); default: one per CPU. Not a handler: it
/// shapes the listeners, so it costs nothing per query.
/// </summary>
public sealed class MultiSocketSetup : IPluginSetup
{
    public const int Maximum = 1024;

    public string Name => "multisocket";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectArgCount(0, 1);
        directive.ExpectNoBlock();
        block.SocketCount = directive.Args.Count == 0 ? Environment.ProcessorCount : directive.Args[0].ParseInt(1, Maximum);
    }
}
