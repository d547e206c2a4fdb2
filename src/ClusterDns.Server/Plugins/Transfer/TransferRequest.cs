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
