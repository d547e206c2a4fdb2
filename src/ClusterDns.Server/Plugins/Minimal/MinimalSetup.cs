using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Minimal;

/// <summary>
/// <c>minimal</c>: no arguments, no block. CoreDNS's README shows <c>minimal yes | no</c>, but its setup (1.14)
/// rejects any argument; we do the same, so a Corefile that CoreDNS refuses is refused here too.
/// </summary>
public sealed class MinimalSetup : IPluginSetup
{
    public string Name => "minimal";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectArgCount(0, 0);
        directive.ExpectNoBlock();
        block.AddHandler(new MinimalHandler());
    }
}
