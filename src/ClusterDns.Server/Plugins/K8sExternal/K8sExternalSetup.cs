using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.K8sExternal;

/// <summary>
/// <c>k8s_external [ZONES...] { apex LABEL; ttl SECONDS; headless; fallthrough [ZONES...] }</c>: the external
/// addresses of the cluster's Services under outside zones. The <c>kubernetes</c> plugin of the same server block
/// is found when the first query arrives (setup runs in Corefile order, the chain in plugin order).
/// </summary>
public sealed class K8sExternalSetup : IPluginSetup
{
    public string Name => "k8s_external";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = ParseOptions(directive, block);
        var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.K8sExternal");
        block.AddHandler(new K8sExternalHandler(options, () => block.Handlers, block.Resolver, logger));
    }

    public static K8sExternalOptions ParseOptions(Directive directive, ServerBlockBuilder block)
    {
        var options = new K8sExternalOptions { Zones = ZoneArguments.OrBlock(directive.Args, 0, block.Zones) };
        foreach (var sub in directive.Block)
        {
            options = sub.Name switch
            {
                "apex" => Apex(sub, options),
                "ttl" => Ttl(sub, options),
                "headless" => NoArgs(sub, options with { Headless = true }),
                "fallthrough" => options with { Fallthrough = ZoneArguments.Parse(sub.Args) },
                _ => throw directive.UnknownSubdirective(sub),
            };
        }
        return options;
    }

    private static K8sExternalOptions Apex(Directive sub, K8sExternalOptions options)
    {
        sub.ExpectArgCount(1, 1);
        sub.ExpectNoBlock();
        var label = sub.Args[0].Text.ToLowerInvariant();
        // One label: the apex names are ns1.LABEL.zone and hostmaster.LABEL.zone.
        if (label.Length is 0 or > WireName.MaxLabelLength || label.Contains('.') || label.Any(c => c > 0x7F)
            || !DnsName.TryParse(label + ".", out _, out _))
        {
            throw sub.ArgError(0, $"apex must be one DNS label, not '{sub.Args[0].Text}'");
        }
        return options with { Apex = label };
    }

    private static K8sExternalOptions Ttl(Directive sub, K8sExternalOptions options)
    {
        sub.ExpectArgCount(1, 1);
        sub.ExpectNoBlock();
        return options with { Ttl = (uint)sub.Args[0].ParseInt(0, 3600) };
    }

    private static K8sExternalOptions NoArgs(Directive sub, K8sExternalOptions options)
    {
        sub.ExpectArgCount(0, 0);
        sub.ExpectNoBlock();
        return options;
    }
}
