using ClusterDns.Protocol;
using ClusterDns.Protocol.Text;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.FilePlugin;
using ClusterDns.Server.Zones;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Zones;

/// <summary>
/// CoreDNS's plugin/file lookup_test.go cases, restated against its miek.nl zone (testdata/Zones/miek.nl.zone):
/// positive answers carry the apex NS in authority, MX/SRV answers the in-zone addresses of their targets,
/// negative answers the SOA. Where we depart (DNAME, a CNAME leaving the zone) the case says so.
/// </summary>
public sealed class CoreDnsFileLookupTests
{
    private const string Soa = "miek.nl. 1800 IN SOA linode.atoom.net. miek.miek.nl. 1282630057 14400 3600 604800 14400";
    private static readonly string[] MiekAuth =
    [
        "miek.nl. 1800 IN NS ext.ns.whyscream.net.", "miek.nl. 1800 IN NS linode.atoom.net.",
        "miek.nl. 1800 IN NS ns-ext.nlnetlabs.nl.", "miek.nl. 1800 IN NS omval.tednet.nl.",
    ];
    private static readonly string[] AddressesOfA = ["a.miek.nl. 1800 IN A 139.162.196.78", "a.miek.nl. 1800 IN AAAA 2a01:7e00::f03c:91ff:fef1:6735"];

    private static readonly Lazy<FileHandler> Handler = new(() =>
        new FileHandler(new ZoneSet([LoadZone(Path.Combine(AppContext.BaseDirectory, "testdata", "Zones", "miek.nl.zone"), "miek.nl.")])));

    public sealed record Case(string Name, RecordType Type, ResponseCode Rcode, string[] Answer, string[] Authority, string[] Additional)
    {
        public override string ToString() => $"{Name} {Type}";
    }

    public static TheoryData<Case> Cases() => new()
    {
        new("www.miek.nl.", RecordType.A, ResponseCode.NoError, ["www.miek.nl. 1800 IN CNAME a.miek.nl.", "a.miek.nl. 1800 IN A 139.162.196.78"], MiekAuth, []),
        new("www.miek.nl.", RecordType.AAAA, ResponseCode.NoError,
            ["www.miek.nl. 1800 IN CNAME a.miek.nl.", "a.miek.nl. 1800 IN AAAA 2a01:7e00::f03c:91ff:fef1:6735"], MiekAuth, []),
        new("miek.nl.", RecordType.SOA, ResponseCode.NoError, [Soa], MiekAuth, []),
        new("miek.nl.", RecordType.AAAA, ResponseCode.NoError, ["miek.nl. 1800 IN AAAA 2a01:7e00::f03c:91ff:fef1:6735"], MiekAuth, []),
        new("mIeK.NL.", RecordType.AAAA, ResponseCode.NoError, ["miek.nl. 1800 IN AAAA 2a01:7e00::f03c:91ff:fef1:6735"], MiekAuth, []),
        new("miek.nl.", RecordType.MX, ResponseCode.NoError,
            [
                "miek.nl. 1800 IN MX 1 aspmx.l.google.com.", "miek.nl. 1800 IN MX 10 aspmx2.googlemail.com.",
                "miek.nl. 1800 IN MX 10 aspmx3.googlemail.com.", "miek.nl. 1800 IN MX 5 alt1.aspmx.l.google.com.",
                "miek.nl. 1800 IN MX 5 alt2.aspmx.l.google.com.",
            ], MiekAuth, []),
        new("a.miek.nl.", RecordType.SRV, ResponseCode.NoError, [], [Soa], []),
        new("b.miek.nl.", RecordType.A, ResponseCode.NXDomain, [], [Soa], []),
        new("srv.miek.nl.", RecordType.SRV, ResponseCode.NoError, ["srv.miek.nl. 1800 IN SRV 10 10 8080 a.miek.nl."], MiekAuth, AddressesOfA),
        new("mx.miek.nl.", RecordType.MX, ResponseCode.NoError, ["mx.miek.nl. 1800 IN MX 10 a.miek.nl."], MiekAuth, AddressesOfA),
        new("asterisk.x.miek.nl.", RecordType.CNAME, ResponseCode.NoError, ["asterisk.x.miek.nl. 1800 IN CNAME www.miek.nl."], MiekAuth, []),
        new("a.b.x.miek.nl.", RecordType.CNAME, ResponseCode.NXDomain, [], [Soa], []),
        new("asterisk.y.miek.nl.", RecordType.A, ResponseCode.NoError, ["asterisk.y.miek.nl. 1800 IN A 139.162.196.78"], MiekAuth, []),
        // CoreDNS synthesizes a CNAME from the DNAME; we serve DNAME as data only (RFC 6672 is not implemented).
        new("foo.dname.miek.nl.", RecordType.CNAME, ResponseCode.NXDomain, [], [Soa], []),
        // CoreDNS asks its upstream for the target and, in its test, gets SERVFAIL; we leave the target to the
        // client's resolver and answer NOERROR with the CNAME (the `upstream` option is accepted and ignored).
        new("ext-cname.miek.nl.", RecordType.A, ResponseCode.NoError, ["ext-cname.miek.nl. 1800 IN CNAME example.com."], MiekAuth, []),
        new("txt.miek.nl.", RecordType.TXT, ResponseCode.NoError, ["txt.miek.nl. 1800 IN TXT \"v=spf1 a mx ~all\""], MiekAuth, []),
        new("caa.miek.nl.", RecordType.CAA, ResponseCode.NoError, ["caa.miek.nl. 1800 IN CAA 0 issue \"letsencrypt.org\""], MiekAuth, []),
        // TestLookUpNoDataResult: an existing name without the type, and a wildcard without it.
        new("a.miek.nl.", RecordType.MX, ResponseCode.NoError, [], [Soa], []),
        new("wildcard.nodata.miek.nl.", RecordType.MX, ResponseCode.NoError, [], [Soa], []),
        // The apex NS: the NS in the answer, their in-zone addresses (none here) in additional, no authority.
        new("miek.nl.", RecordType.NS, ResponseCode.NoError, MiekAuth, [], []),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnswersAsCoreDnsFileDoes(Case expected)
    {
        var response = Query(Handler.Value, expected.Name, expected.Type);

        Assert.Equal(expected.Rcode, response.Rcode);
        Assert.True(response.Header.AuthoritativeAnswer);
        Assert.False(response.Header.RecursionAvailable);
        Assert.Equal(SortedLines(expected.Answer), Lines(response.Answers));
        // Names in RDATA may be compressed against the client's spelling of the question: compare without case.
        Assert.Equal(SortedLines(expected.Authority).Select(l => l.ToLowerInvariant()), Lines(response.Authority).Select(l => l.ToLowerInvariant()));
        Assert.Equal(SortedLines(expected.Additional), Lines(response.Additional));
    }

    [Fact]
    public void ZoneNsThatDoNotFitAreLeftOutWithoutTruncation()
    {
        string longString = new('x', 200);
        string text = $"""
            $ORIGIN example.org.
            $TTL 300
            @ IN SOA ns1 hostmaster 1 7200 1800 86400 60
              IN NS ns-with-a-long-name-{new string('a', 40)}.example.net.
              IN NS ns-with-a-long-name-{new string('b', 40)}.example.net.
            t IN TXT "{longString}" "{longString}"
            """;
        var parsed = ZoneFileReader.Read(new StringReader(text), "long.zone", DnsName.Parse("example.org."));
        Assert.True(parsed.Succeeded, parsed.Error?.ToString());
        Assert.True(AuthoritativeZone.TryCreate(DnsName.Parse("example.org."), parsed.Records, out var zone, out var error), error);
        var handler = new FileHandler(new ZoneSet([zone]));

        var udp = Query(handler, "t.example.org.", RecordType.TXT);
        var tcp = Query(handler, "t.example.org.", RecordType.TXT, TransportKind.Tcp);

        Assert.False(udp.Header.Truncated);
        Assert.Single(udp.Answers);
        Assert.Empty(udp.Authority);
        Assert.Single(tcp.Answers);
        Assert.Equal(2, tcp.Authority.Count);
    }
}
