namespace ClusterDns.Server.Zones;

/// <summary>RFC 1982 serial number arithmetic on 32-bit SOA serials (transfer answers IXFR with it, secondary refreshes with it).</summary>
public static class SerialArithmetic
{
    /// <summary>True when <paramref name="ours"/> is newer than <paramref name="theirs"/> (RFC 1982 §3.2).</summary>
    public static bool IsNewer(uint ours, uint theirs) => ours != theirs && (int)(ours - theirs) > 0;
}
