using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Benchmarks;

/// <summary>Wire-form queries as a stub resolver sends them (RD, EDNS 1232), and the context a listener would fill.</summary>
internal static class QueryBytes
{
    public static byte[] Build(string name, RecordType type) =>
        DnsMessage.CreateQuery(0x4242, DnsName.Parse(name), type, new EdnsRecord { UdpPayloadSize = 1232 }).ToArray();

    /// <summary>Puts the request back into the context's buffer (the previous answer overwrote it) and parses it.</summary>
    public static void Load(DnsQueryContext context, byte[] query)
    {
        query.CopyTo(context.Buffer, 0);
        context.Reset(query.Length, TransportKind.Udp);
    }
}
