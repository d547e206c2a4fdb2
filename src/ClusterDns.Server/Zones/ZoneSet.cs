using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// The zones one handler serves, searched by the longest origin containing the query name. Immutable:
/// a reload builds a new set and swaps it.
/// </summary>
public sealed class ZoneSet
{
    private readonly AuthoritativeZone[] _byLength;

    public ZoneSet(IEnumerable<AuthoritativeZone> zones)
    {
        _byLength = zones.OrderByDescending(z => z.Origin.WireLength).ToArray();
    }

    public IReadOnlyList<AuthoritativeZone> Zones => _byLength;

    /// <summary>The most specific zone containing <paramref name="name"/>, or null; allocates nothing.</summary>
    public AuthoritativeZone? Find(ReadOnlySpan<byte> name)
    {
        foreach (var zone in _byLength)
        {
            if (zone.Contains(name))
            {
                return zone;
            }
        }
        return null;
    }

    public AuthoritativeZone? Find(DnsName name) => Find(name.Wire);
}
