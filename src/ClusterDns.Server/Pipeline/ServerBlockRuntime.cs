using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>A server block ready to serve: its zones and its handler chain, built once, in plugin order.</summary>
public sealed class ServerBlockRuntime
{
    public ServerBlockRuntime(IReadOnlyList<DnsName> zones, DnsHandler? chain, IReadOnlyList<DnsHandler> handlers)
    {
        Zones = zones;
        ZonesWire = zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        Chain = chain;
        Handlers = handlers;
        RecursionAvailable = handlers.Any(h => h.Name == "forward");
        OffersTransfers = handlers.Any(h => h.Name == "transfer");
    }

    public IReadOnlyList<DnsName> Zones { get; }

    /// <summary>Lower-cased wire form of <see cref="Zones"/>, for matching without allocating.</summary>
    internal byte[][] ZonesWire { get; }

    /// <summary>The first handler; null when the block has no handler that answers queries.</summary>
    public DnsHandler? Chain { get; }

    public IReadOnlyList<DnsHandler> Handlers { get; }

    /// <summary>This block forwards (offers recursion): forwarded and cached answers carry RA; authoritative ones never do.</summary>
    public bool RecursionAvailable { get; }

    /// <summary>This block has the <c>transfer</c> plugin: AXFR/IXFR over TCP reach its chain; elsewhere they are REFUSED.</summary>
    public bool OffersTransfers { get; }

    /// <summary>The block's <c>view</c>: null for a block every query of its zones may use (the default block).</summary>
    public ViewFilter? View { get; init; }

    /// <summary>The view's name, empty without one (the <c>view</c> label of metrics).</summary>
    public string ViewName => View?.ViewName ?? string.Empty;

    /// <summary>The block's metadata when it has the <c>metadata</c> plugin; null otherwise.</summary>
    public MetadataSet? Metadata { get; init; }
}
