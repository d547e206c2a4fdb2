using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// Chooses the server block for a query by the longest zone that contains its name, as CoreDNS does. Blocks for
/// the same zone (views) are tried in Corefile order and the first whose view admits the query answers; when none
/// does, shorter zones are tried. A block without a view admits everything, so a port without views pays one
/// null check per candidate.
/// </summary>
public sealed class ZoneRouter
{
    private readonly (byte[] Zone, ServerBlockRuntime Block)[] _byLength;

    public ZoneRouter(IEnumerable<ServerBlockRuntime> blocks)
    {
        Blocks = blocks.ToArray();
        // Longest zones first: the first match is the most specific. The sort is stable, so blocks of one zone stay
        // in Corefile order.
        _byLength = Blocks
            .SelectMany(b => b.ZonesWire.Select(z => (Zone: z, Block: b)))
            .OrderByDescending(e => e.Zone.Length)
            .ToArray();
    }

    public IReadOnlyList<ServerBlockRuntime> Blocks { get; }

    /// <summary>The block for <paramref name="context"/>'s question, or null (REFUSED); sets <see cref="DnsQueryContext.Block"/>.</summary>
    public ServerBlockRuntime? Route(DnsQueryContext context)
    {
        var lowerName = context.LowerName;
        foreach (var (zone, block) in _byLength)
        {
            if (!WireName.IsSubdomainOf(lowerName, zone))
            {
                continue;
            }
            context.Block = block;
            if (block.View is not { } view || view.Admits(context))
            {
                return block;
            }
        }
        context.Block = null;
        return null;
    }
}
