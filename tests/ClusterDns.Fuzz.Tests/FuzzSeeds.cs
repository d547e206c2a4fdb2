using ClusterDns.Protocol;
using ClusterDns.Testing.Wire;

namespace ClusterDns.Fuzz.Tests;

/// <summary>
/// The corpus the mutator starts from: every packet captured from dig, kdig and knotd (testdata/wire, queries and
/// answers), plus well-formed queries for names the fuzzed handlers serve, so mutations land on real answers.
/// </summary>
internal static class FuzzSeeds
{
    private static readonly string[] ServedNames =
    [
        "web-service.default.svc.cluster.local.", "_http._tcp.web-service.default.svc.cluster.local.",
        "cluster.local.", "dns-version.cluster.local.", "10.0.96.10.in-addr.arpa.", "nothere.default.svc.cluster.local.",
        "example.org.", "www.example.org.", "txt.example.org.", "nothere.example.org.",
    ];

    private static readonly RecordType[] ServedTypes = [RecordType.A, RecordType.AAAA, RecordType.SRV, RecordType.PTR, RecordType.TXT, RecordType.SOA, RecordType.NS, RecordType.MX, RecordType.ANY];

    public static IReadOnlyList<byte[]> Load()
    {
        var seeds = new List<byte[]>();
        foreach (var file in Directory.GetFiles(WireHex.Directory, "*.hex").Order(StringComparer.Ordinal))
        {
            seeds.Add(WireHex.Parse(File.ReadAllText(file)));
        }
        ushort id = 1;
        foreach (var name in ServedNames)
        {
            foreach (var type in ServedTypes)
            {
                var edns = id % 3 == 0 ? null : new EdnsRecord { UdpPayloadSize = id % 3 == 1 ? (ushort)1232 : (ushort)4096, DnssecOk = id % 2 == 0 };
                seeds.Add(DnsMessage.CreateQuery(id++, DnsName.Parse(name), type, edns).ToArray());
            }
        }
        return seeds;
    }
}
