using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary><c>loadbalance [round_robin]</c>.</summary>
public sealed class LoadBalanceSetup : IPluginSetup
{
    public string Name => "loadbalance";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        Parse(directive);
        block.AddHandler(new LoadBalanceHandler());
    }

    public static LoadBalanceOptions Parse(Directive directive)
    {
        directive.ExpectArgCount(0, 1);
        if (directive.Args.Count == 1 && directive.Args[0].Text != "round_robin")
        {
            throw directive.ArgError(0, $"unknown load balancing policy '{directive.Args[0].Text}' (only round_robin)");
        }
        if (directive.HasBlock)
        {
            // CoreDNS's prefer sub-option (sorting by subnet) is not implemented.
            throw directive.Block.Count > 0 ? directive.UnknownSubdirective(directive.Block[0]) : directive.Error("'loadbalance' does not take a block");
        }
        return LoadBalanceOptions.RoundRobin;
    }
}
