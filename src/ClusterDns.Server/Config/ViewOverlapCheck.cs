using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Config;

/// <summary>
/// CoreDNS's start-up check on blocks that share a port: a zone may be served by one block without a view (the
/// default) and by any number of blocks with views, but a block with a view must come before the default block of
/// its zone (blocks are tried in Corefile order, so one after the default could never answer), and two default
/// blocks for one zone are an error ("already defined"). Blocks bound to disjoint addresses do not overlap.
/// </summary>
internal static class ViewOverlapCheck
{
    public static void Check(IReadOnlyList<ServerBlockBuilder> blocksOfPort)
    {
        var defaults = new List<(DnsName Zone, ServerBlockBuilder Block)>();
        foreach (var block in blocksOfPort)
        {
            foreach (var zone in block.Zones)
            {
                foreach (var (existingZone, existing) in defaults)
                {
                    if (ReferenceEquals(existing, block) || !existingZone.Equals(zone) || !Overlap(existing.BindAddresses, block.BindAddresses))
                    {
                        continue;
                    }
                    var key = $"dns://{zone}:{block.Port}";
                    throw new CorefileException(block.Source.File, block.Source.Line, block.View is null
                        ? $"cannot serve {key} - it is already defined (line {existing.Source.Line})"
                        : $"cannot serve {key} - the block with view '{block.View.ViewName}' comes after the block without a view for the same zone (line {existing.Source.Line}); blocks with views must come first");
                }
            }
            if (block.View is null)
            {
                foreach (var zone in block.Zones)
                {
                    defaults.Add((zone, block));
                }
            }
        }
    }

    // No bind means every address, which overlaps everything.
    private static bool Overlap(List<IPAddress> a, List<IPAddress> b) =>
        a.Count == 0 || b.Count == 0 || a.Exists(b.Contains);
}
