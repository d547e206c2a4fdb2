using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Any;

/// <summary><c>any</c>: no arguments, no block.</summary>
public sealed class AnySetup : IPluginSetup
{
    public string Name => "any";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectArgCount(0, 0);
        directive.ExpectNoBlock();
        block.AddHandler(new AnyHandler());
    }
}
