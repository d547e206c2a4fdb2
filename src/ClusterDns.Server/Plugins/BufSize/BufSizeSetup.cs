using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.BufSize;

/// <summary>
/// <c>bufsize [SIZE]</c>: the largest UDP answer this block sends an EDNS client (512–4096, default 1232, the
/// DNS flag day 2020 value). Larger answers are truncated (TC) so the client retries over TCP. Not a handler:
/// it sets the listener's limit, so it costs nothing per query.
/// </summary>
public sealed class BufSizeSetup : IPluginSetup
{
    public const int Minimum = 512;
    public const int Maximum = 4096;

    public string Name => "bufsize";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectArgCount(0, 1);
        directive.ExpectNoBlock();
        block.MaxUdpSize = directive.Args.Count == 0 ? 1232 : directive.Args[0].ParseInt(Minimum, Maximum);
    }
}
