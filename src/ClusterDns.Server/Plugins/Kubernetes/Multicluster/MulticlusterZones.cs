using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins.Kubernetes.Names;
using ClusterDns.Server.Plugins.Kubernetes.Options;

namespace ClusterDns.Server.Plugins.Kubernetes.Multicluster;

/// <summary>
/// <c>multicluster ZONE...</c> inside a <c>kubernetes</c> block: each zone must be one of the plugin's own zones,
/// as CoreDNS requires (<c>kubernetes cluster.local clusterset.local { multicluster clusterset.local }</c>), and a
/// forward one. Anything else is a start-up error at the token's file and line.
/// </summary>
public static class MulticlusterZones
{
    public static KubernetesOptions Parse(Directive sub, KubernetesOptions options)
    {
        sub.ExpectArgCount(1, int.MaxValue);
        sub.ExpectNoBlock();
        var zones = new List<DnsName>(options.Multicluster);
        foreach (var token in sub.Args)
        {
            foreach (var zone in ZoneArguments.Parse([token]))
            {
                if (ClusterNames.IsReverseZone(zone))
                {
                    throw token.Error($"multicluster zone '{zone}' is a reverse zone; ServiceImports are named in a forward zone such as clusterset.local");
                }
                if (!options.Zones.Contains(zone))
                {
                    throw token.Error($"multicluster zone '{zone}' is not one of the kubernetes zones ({string.Join(", ", options.Zones)}); list it there too");
                }
                if (!zones.Contains(zone))
                {
                    zones.Add(zone);
                }
            }
        }
        return options with { Multicluster = zones };
    }
}
