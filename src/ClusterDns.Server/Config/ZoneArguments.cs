using ClusterDns.Corefile;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Config;

/// <summary>
/// Zone arguments of a directive, read one way for every plugin, as CoreDNS's
/// <c>plugin.OriginsFromArgsOrServerBlock</c> with <c>plugin.Host(..).NormalizeExact()</c>: each token
/// lower-cased and fully qualified, a CIDR (<c>10.0.0.0/8</c>) expanded to its reverse zones, duplicates
/// dropped; a bad zone is a <see cref="CorefileException"/> at the token's file and line.
/// </summary>
public static class ZoneArguments
{
    /// <summary>The zones <paramref name="args"/> name (none when empty), from <paramref name="first"/> on.</summary>
    public static IReadOnlyList<DnsName> Parse(IReadOnlyList<Token> args, int first = 0)
    {
        var zones = new List<DnsName>();
        for (int i = first; i < args.Count; i++)
        {
            foreach (var text in args[i].ParseZones())
            {
                var zone = DnsName.Parse(text);
                if (!zones.Contains(zone))
                {
                    zones.Add(zone);
                }
            }
        }
        return zones;
    }

    /// <summary>
    /// The zones named from argument <paramref name="first"/> on or, when none are, <paramref name="blockZones"/>
    /// (the server block's zones). With <paramref name="insideBlock"/> each named zone must lie within one of the
    /// block's zones (stricter than CoreDNS; the kubernetes plugin asks for it).
    /// </summary>
    public static IReadOnlyList<DnsName> OrBlock(IReadOnlyList<Token> args, int first, IReadOnlyList<DnsName> blockZones, bool insideBlock = false)
    {
        if (args.Count <= first)
        {
            return blockZones;
        }
        if (insideBlock)
        {
            for (int i = first; i < args.Count; i++)
            {
                foreach (var text in args[i].ParseZones())
                {
                    var name = DnsName.Parse(text);
                    if (!blockZones.Any(z => name.IsSubdomainOf(z)))
                    {
                        throw args[i].Error($"zone '{text}' is not inside the server block's zones ({string.Join(", ", blockZones)})");
                    }
                }
            }
        }
        return Parse(args, first);
    }
}
