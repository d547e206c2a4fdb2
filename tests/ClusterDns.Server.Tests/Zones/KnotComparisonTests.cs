using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.FilePlugin;
using ClusterDns.Server.Zones;
using ClusterDns.Testing.Peers;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Zones;

/// <summary>
/// Asks knotd and our file handler the same questions about zones/example.org.zone and compares RCODE, AA and
/// the answer and authority sections (as sets of normalised lines). Knot answers minimally; we add the apex NS
/// to the authority of positive answers as CoreDNS's file plugin does, so that RRset is expected there too.
/// </summary>
public sealed class KnotComparisonTests : IClassFixture<KnotDaemon>
{
    private readonly KnotDaemon _knot;
    private readonly FileHandler _ours;

    public KnotComparisonTests(KnotDaemon knot)
    {
        _knot = knot;
        _ours = new FileHandler(new ZoneSet([LoadZone(knot.ZonePath, "example.org.")]));
    }

    public static TheoryData<string, RecordType> Questions() => new()
    {
        { "example.org.", RecordType.SOA },
        { "example.org.", RecordType.NS },
        { "example.org.", RecordType.MX },
        { "example.org.", RecordType.TXT },
        { "example.org.", RecordType.CAA },
        { "example.org.", RecordType.A },
        { "example.org.", RecordType.AAAA },
        { "www.example.org.", RecordType.A },
        { "WWW.Example.Org.", RecordType.AAAA },
        { "www.example.org.", RecordType.TXT },
        { "txt.example.org.", RecordType.TXT },
        { "_sip._udp.example.org.", RecordType.SRV },
        { "_sip._tcp.example.org.", RecordType.SRV },
        { "nope.example.org.", RecordType.A },
        { "deep.nope.example.org.", RecordType.AAAA },
        { "ent.example.org.", RecordType.A },
        { "host.ent.example.org.", RecordType.A },
        { "foo.wild.example.org.", RecordType.A },
        { "a.b.wild.example.org.", RecordType.TXT },
        { "foo.wild.example.org.", RecordType.MX },
        { "exists.wild.example.org.", RecordType.TXT },
        { "x.exists.wild.example.org.", RecordType.A },
        { "wild.example.org.", RecordType.A },
        { "alias.example.org.", RecordType.A },
        { "alias.example.org.", RecordType.CNAME },
        { "alias.example.org.", RecordType.MX },
        { "external.example.org.", RecordType.A },
        { "dangling.example.org.", RecordType.A },
        { "sub.example.org.", RecordType.NS },
        { "sub.example.org.", RecordType.A },
        { "x.sub.example.org.", RecordType.A },
        { "ns1.sub.example.org.", RecordType.A },
        { "sub.example.org.", RecordType.DS },
    };

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task AnswersAsKnotDoes(string name, RecordType type)
    {
        var knot = await AskKnotAsync(name, type);
        var ours = Query(_ours, name, type);

        Assert.Equal(knot.Rcode, ours.Rcode);
        Assert.Equal(knot.Header.AuthoritativeAnswer, ours.Header.AuthoritativeAnswer);
        Assert.Equal(knot.Header.Truncated, ours.Header.Truncated);
        Assert.Equal(Lines(knot.Answers), Lines(ours.Answers));
        // Names in RDATA may be compressed against the client's spelling of the question: compare without case.
        Assert.Equal(ExpectedAuthority(knot, name, type).Select(l => l.ToLowerInvariant()), Lines(ours.Authority).Select(l => l.ToLowerInvariant()));
    }

    /// <summary>Knot's authority, or the apex NS for a positive answer that is not itself the apex NS.</summary>
    private static string[] ExpectedAuthority(DnsMessage knot, string name, RecordType type)
    {
        bool positive = knot.Rcode == ResponseCode.NoError && knot.Answers.Count > 0 && knot.Authority.Count == 0;
        bool apexNs = type == RecordType.NS && name.Equals("example.org.", StringComparison.OrdinalIgnoreCase);
        return positive && !apexNs
            ? SortedLines(["example.org. 3600 IN NS ns1.example.org.", "example.org. 3600 IN NS ns2.example.org."])
            : Lines(knot.Authority);
    }

    private async Task<DnsMessage> AskKnotAsync(string name, RecordType type)
    {
        var query = DnsMessage.CreateQuery((ushort)Random.Shared.Next(ushort.MaxValue), DnsName.Parse(name), type);
        query.Header.RecursionDesired = false;
        using var client = new UdpClient(AddressFamily.InterNetwork);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        // UDP on loopback: a lost datagram is unlikely; three tries keep a slow machine from failing the test.
        for (int attempt = 0; ; attempt++)
        {
            await client.SendAsync(query.ToArray(), _knot.EndPoint, timeout.Token);
            using var perTry = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            perTry.CancelAfter(TimeSpan.FromSeconds(1.5));
            try
            {
                var received = await client.ReceiveAsync(perTry.Token);
                Assert.Equal(DnsError.None, DnsMessage.TryParse(received.Buffer, out var response));
                Assert.Equal(query.Header.Id, response.Header.Id);
                return response;
            }
            catch (OperationCanceledException) when (attempt < 2 && !timeout.IsCancellationRequested)
            {
            }
        }
    }
}
