using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>Chooses the server block for a query by the longest zone that contains its name, as CoreDNS does.</summary>
public sealed class ZoneRouter
{
    private readonly (byte[] Zone, ServerBlockRuntime Block)[] _byLength;

    public ZoneRouter(IEnumerable<ServerBlockRuntime> blocks)
    {
        Blocks = blocks.ToArray();
        // Longest zones first: the first match is the most specific.
        _byLength = Blocks
            .SelectMany(b => b.ZonesWire.Select(z => (Zone: z, Block: b)))
            .OrderByDescending(e => e.Zone.Length)
            .ToArray();
    }

    public IReadOnlyList<ServerBlockRuntime> Blocks { get; }

    public ServerBlockRuntime? Route(ReadOnlySpan<byte> lowerName)
    {
        foreach (var (zone, block) in _byLength)
        {
            if (WireName.IsSubdomainOf(lowerName, zone))
            {
                return block;
            }
        }
        return null;
    }
}
