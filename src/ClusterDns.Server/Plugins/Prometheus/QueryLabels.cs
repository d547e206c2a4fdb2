using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary>Maps a query to small integers for the label sets of CoreDNS's families, without allocating.</summary>
internal static class QueryLabels
{
    /// <summary>CoreDNS's monitored query types (plugin/metrics/vars.monitorType); anything else is "other".</summary>
    public static readonly string[] TypeNames =
        ["A", "AAAA", "CNAME", "HINFO", "MX", "NS", "PTR", "SOA", "SRV", "TXT", "NAPTR", "DS", "DNSKEY", "RRSIG", "NSEC", "NSEC3", "IXFR", "AXFR", "ANY", "OPT", "other"];

    public const int TypeCount = 21;

    public static readonly string[] ProtoNames = ["udp", "tcp"];

    public static readonly string[] FamilyNames = ["1", "2"];

    public static int TypeIndex(RecordType type) => (ushort)type switch
    {
        1 => 0,
        28 => 1,
        5 => 2,
        13 => 3,
        15 => 4,
        2 => 5,
        12 => 6,
        6 => 7,
        33 => 8,
        16 => 9,
        35 => 10,
        43 => 11,
        48 => 12,
        46 => 13,
        47 => 14,
        50 => 15,
        251 => 16,
        252 => 17,
        255 => 18,
        41 => 19,
        _ => 20,
    };

    public static int ProtoIndex(TransportKind transport) => transport == TransportKind.Tcp ? 1 : 0;

    /// <summary>0 for an IPv4 client (also IPv4-mapped IPv6 on a dual-stack socket), 1 for IPv6: CoreDNS's family 1/2.</summary>
    public static int FamilyIndex(SocketAddress address)
    {
        if (address.Family == AddressFamily.InterNetwork)
        {
            return 0;
        }
        if (address.Family != AddressFamily.InterNetworkV6 || address.Size < 24)
        {
            return 0;
        }
        // sockaddr_in6: family(2) port(2) flowinfo(4) address(16): ::ffff:a.b.c.d is IPv4.
        var bytes = address.Buffer.Span.Slice(8, 16);
        for (int i = 0; i < 10; i++)
        {
            if (bytes[i] != 0)
            {
                return 1;
            }
        }
        return bytes[10] == 0xFF && bytes[11] == 0xFF ? 0 : 1;
    }

    /// <summary>The index of the longest of <paramref name="zones"/> containing the name, or -1.</summary>
    public static int ZoneIndex(byte[][] zones, ReadOnlySpan<byte> lowerName) => WireName.IndexOfLongestZone(lowerName, zones);
}
