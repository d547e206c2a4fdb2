using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Transfer;

/// <summary>Reads what a transfer request carries beyond its question.</summary>
internal static class TransferRequest
{
    /// <summary>The serial of the single SOA in an IXFR request's authority section (RFC 1995 §3); false when there is not exactly one.</summary>
    public static bool TryReadIxfrSerial(ReadOnlySpan<byte> request, out uint serial)
    {
        serial = 0;
        if (DnsMessage.TryParse(request, out var message) != DnsError.None || message.Authority.Count != 1
            || message.Authority[0].Data is not SoaData soa)
        {
            return false;
        }
        serial = soa.Serial;
        return true;
    }
}

/// <summary>RFC 1982 serial number arithmetic on 32-bit SOA serials.</summary>
internal static class SerialArithmetic
{
    /// <summary>True when <paramref name="ours"/> is newer than <paramref name="theirs"/> (RFC 1982 §3.2).</summary>
    public static bool IsNewer(uint ours, uint theirs) => ours != theirs && (int)(ours - theirs) > 0;
}
