using ClusterDns.Protocol;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The real executable serving the demo cluster, asked by DnsClient.NET's LookupClient (a .NET resolver library,
/// independent of our codec) over UDP and TCP; its answers must be the ones our own bytes get.
/// </summary>
public sealed class LookupClientTests : IClassFixture<DemoClusterTests.DemoServer>
{
    private readonly int _port;

    public LookupClientTests(DemoClusterTests.DemoServer demo) => _port = demo.Server.Port;

    public static TheoryData<string, RecordType, int> Cases => new()
    {
        { "web-service.default.svc.cluster.local", RecordType.A, 1 },
        { "headless-service.default.svc.cluster.local", RecordType.A, 3 },
        { "_https._tcp.multi-port-service.default.svc.cluster.local", RecordType.SRV, 1 },
        { "external-database.default.svc.cluster.local", RecordType.A, 1 },
        { "dual-stack-service.default.svc.cluster.local", RecordType.AAAA, 1 },
        { "10.100.96.10.in-addr.arpa", RecordType.PTR, 1 },
        { "dns-version.cluster.local", RecordType.TXT, 1 },
        { "cluster.local", RecordType.SOA, 1 },
        { "cluster.local", RecordType.NS, 1 },
        // NODATA and NXDOMAIN: the SOA in the authority section.
        { "web-service.default.svc.cluster.local", RecordType.AAAA, 0 },
        { "missing.default.svc.cluster.local", RecordType.A, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task LookupClient_reads_the_answers_our_bytes_get(string name, RecordType type, int answers)
    {
        var udp = await LookupClientOracle.AssertAgreesAsync(_port, name, type);
        var tcp = await LookupClientOracle.AssertAgreesAsync(_port, name, type, tcp: true);

        Assert.Equal(answers, udp.Answers.Count);
        Assert.Equal(answers, tcp.Answers.Count);
    }
}
