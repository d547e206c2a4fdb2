using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Local;

/// <summary><c>local { localhost_prefix on|off }</c>: no arguments; the block is optional.</summary>
public sealed class LocalSetup : IPluginSetup
{
    public string Name => "local";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectArgCount(0, 0);
        block.AddHandler(new LocalHandler(Parse(directive)));
    }

    internal static LocalOptions Parse(Directive directive)
    {
        var options = new LocalOptions();
        foreach (var sub in directive.Block)
        {
            if (sub.Name != "localhost_prefix")
            {
                throw directive.UnknownSubdirective(sub);
            }
            sub.ExpectArgCount(1, 1);
            sub.ExpectNoBlock();
            options = sub.Args[0].Text switch
            {
                "on" => options with { LocalhostPrefix = true },
                "off" => options with { LocalhostPrefix = false },
                var other => throw sub.ArgError(0, $"localhost_prefix expects 'on' or 'off', got '{other}'"),
            };
        }
        return options;
    }
}
