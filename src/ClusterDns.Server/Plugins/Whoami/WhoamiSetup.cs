using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Whoami;

/// <summary><c>whoami</c>: no arguments, no block.</summary>
public sealed class WhoamiSetup : IPluginSetup
{
    public string Name => "whoami";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectArgCount(0, 0);
        directive.ExpectNoBlock();
        block.AddHandler(new WhoamiHandler());
    }
}
