using ClusterDns.Protocol;

namespace ClusterDns.Server.Common;

/// <summary>
/// A <c>fallthrough [ZONES...]</c> option of a zone-serving plugin (file, secondary): no option passes nothing on,
/// a bare one every name, otherwise the names in the listed zones. Checked without allocating.
/// </summary>
public sealed class FallthroughZones
{
    private readonly byte[][] _zones;

    private FallthroughZones(byte[][] zones) => _zones = zones;

    /// <summary>Null when the option is absent (nothing falls through).</summary>
    public static FallthroughZones? From(IReadOnlyList<DnsName>? zones) =>
        zones is null ? null : new FallthroughZones(zones.Select(z => z.ToLower().Wire.ToArray()).ToArray());

    public bool Covers(ReadOnlySpan<byte> lowerName)
    {
        if (_zones.Length == 0)
        {
            return true;
        }
        foreach (var zone in _zones)
        {
            if (WireName.IsSubdomainOf(lowerName, zone))
            {
                return true;
            }
        }
        return false;
    }
}
