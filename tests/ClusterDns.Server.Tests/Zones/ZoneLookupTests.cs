using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.FilePlugin;
using ClusterDns.Server.Zones;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Zones;

public sealed class ZoneLookupTests
{
    private const string Soa = "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 2026112201 7200 1800 1209600 300";
    private const string NegativeSoa = "example.org. 300 IN SOA ns1.example.org. hostmaster.example.org. 2026112201 7200 1800 1209600 300";
    private static readonly string[] WwwA = ["www.example.org. 3600 IN A 192.0.2.10", "www.example.org. 3600 IN A 192.0.2.11"];
    private static readonly string[] SubReferral = ["sub.example.org. 3600 IN NS ns.example.net.", "sub.example.org. 3600 IN NS ns1.sub.example.org."];
    private static readonly string[] ApexNs = ["example.org. 3600 IN NS ns1.example.org.", "example.org. 3600 IN NS ns2.example.org."];
    private static readonly string[] SubGlue = ["ns1.sub.example.org. 3600 IN A 192.0.2.200", "ns1.sub.example.org. 3600 IN AAAA 2001:db8::200"];

    private static readonly Lazy<FileHandler> Handler = new(() =>
        new FileHandler(new ZoneSet([LoadZone(SampleZonePath, "example.org.")])));

    public sealed record Case(string Name, RecordType Type, ResponseCode Rcode, bool Aa, string[] Answer, string[] Authority, string[] Additional)
    {
        public override string ToString() => $"{Name} {Type}";
    }

    public static TheoryData<string, Case> Cases() => new()
    {
        { "exact match", new("www.example.org.", RecordType.A, ResponseCode.NoError, true, WwwA, ApexNs, []) },
        { "exact match, other family", new("www.example.org.", RecordType.AAAA, ResponseCode.NoError, true, ["www.example.org. 3600 IN AAAA 2001:db8::10"], ApexNs, []) },
        { "query name case does not matter", new("WwW.ExAmple.ORG.", RecordType.A, ResponseCode.NoError, true, WwwA, ApexNs, []) },
        { "apex SOA", new("example.org.", RecordType.SOA, ResponseCode.NoError, true, [Soa], ApexNs, []) },
        { "apex NS adds glue", new("example.org.", RecordType.NS, ResponseCode.NoError, true,
            ["example.org. 3600 IN NS ns1.example.org.", "example.org. 3600 IN NS ns2.example.org."], [],
            ["ns1.example.org. 3600 IN A 192.0.2.53", "ns1.example.org. 3600 IN AAAA 2001:db8::53", "ns2.example.org. 3600 IN A 192.0.2.54"]) },
        { "MX adds in-zone addresses", new("example.org.", RecordType.MX, ResponseCode.NoError, true,
            ["example.org. 3600 IN MX 10 mail.example.org.", "example.org. 3600 IN MX 20 mail2.example.org."], ApexNs,
            ["mail.example.org. 3600 IN A 192.0.2.25", "mail2.example.org. 600 IN A 192.0.2.26"]) },
        { "SRV adds its target", new("_sip._udp.example.org.", RecordType.SRV, ResponseCode.NoError, true,
            ["_sip._udp.example.org. 3600 IN SRV 10 60 5060 sip.example.org."], ApexNs, ["sip.example.org. 3600 IN A 192.0.2.60"]) },
        { "TXT with several strings", new("txt.example.org.", RecordType.TXT, ResponseCode.NoError, true,
            ["txt.example.org. 3600 IN TXT \"first string\" \"second string\" \"third; with a semicolon\""], ApexNs, []) },
        { "CAA", new("example.org.", RecordType.CAA, ResponseCode.NoError, true, ["example.org. 3600 IN CAA 0 issue \"letsencrypt.org\""], ApexNs, []) },
        { "NODATA has the SOA with the negative TTL", new("www.example.org.", RecordType.TXT, ResponseCode.NoError, true, [], [NegativeSoa], []) },
        { "NXDOMAIN has the SOA", new("nope.example.org.", RecordType.A, ResponseCode.NXDomain, true, [], [NegativeSoa], []) },
        { "NXDOMAIN below an existing name", new("deep.www.example.org.", RecordType.A, ResponseCode.NXDomain, true, [], [NegativeSoa], []) },
        { "empty non-terminal is NODATA", new("ent.example.org.", RecordType.A, ResponseCode.NoError, true, [], [NegativeSoa], []) },
        { "name below an empty non-terminal", new("host.ent.example.org.", RecordType.A, ResponseCode.NoError, true, ["host.ent.example.org. 3600 IN A 192.0.2.120"], ApexNs, []) },
        { "wildcard synthesizes the query name", new("foo.wild.example.org.", RecordType.A, ResponseCode.NoError, true, ["foo.wild.example.org. 3600 IN A 192.0.2.100"], ApexNs, []) },
        { "wildcard matches several labels", new("a.b.wild.example.org.", RecordType.TXT, ResponseCode.NoError, true, ["a.b.wild.example.org. 3600 IN TXT \"wildcard\""], ApexNs, []) },
        { "wildcard without the type is NODATA", new("foo.wild.example.org.", RecordType.MX, ResponseCode.NoError, true, [], [NegativeSoa], []) },
        { "wildcard does not cover an existing name", new("exists.wild.example.org.", RecordType.TXT, ResponseCode.NoError, true, [], [NegativeSoa], []) },
        { "wildcard does not match below an existing name", new("x.exists.wild.example.org.", RecordType.A, ResponseCode.NXDomain, true, [], [NegativeSoa], []) },
        { "wildcard's parent is an empty non-terminal", new("wild.example.org.", RecordType.A, ResponseCode.NoError, true, [], [NegativeSoa], []) },
        { "wildcard owner asked literally", new("*.wild.example.org.", RecordType.A, ResponseCode.NoError, true, ["*.wild.example.org. 3600 IN A 192.0.2.100"], ApexNs, []) },
        { "CNAME chain is followed in the zone", new("alias.example.org.", RecordType.A, ResponseCode.NoError, true,
            ["alias.example.org. 3600 IN CNAME alias2.example.org.", "alias2.example.org. 3600 IN CNAME www.example.org.", .. WwwA], ApexNs, []) },
        { "CNAME asked for itself is not followed", new("alias.example.org.", RecordType.CNAME, ResponseCode.NoError, true, ["alias.example.org. 3600 IN CNAME alias2.example.org."], ApexNs, []) },
        { "CNAME chain ending in NODATA", new("alias.example.org.", RecordType.MX, ResponseCode.NoError, true,
            ["alias.example.org. 3600 IN CNAME alias2.example.org.", "alias2.example.org. 3600 IN CNAME www.example.org."], [NegativeSoa], []) },
        { "CNAME leaving the zone stops", new("external.example.org.", RecordType.A, ResponseCode.NoError, true, ["external.example.org. 3600 IN CNAME www.example.net."], ApexNs, []) },
        { "CNAME to a missing name is NXDOMAIN", new("dangling.example.org.", RecordType.A, ResponseCode.NXDomain, true, ["dangling.example.org. 3600 IN CNAME nothere.example.org."], [NegativeSoa], []) },
        { "CNAME loop stops", new("loop1.example.org.", RecordType.A, ResponseCode.NoError, true,
            ["loop1.example.org. 3600 IN CNAME loop2.example.org.", "loop2.example.org. 3600 IN CNAME loop1.example.org."], ApexNs, []) },
        { "wildcard CNAME is synthesized and followed", new("x.wc.example.org.", RecordType.A, ResponseCode.NoError, true, ["x.wc.example.org. 3600 IN CNAME www.example.org.", .. WwwA], ApexNs, []) },
        { "CNAME into a wildcard", new("towild.example.org.", RecordType.A, ResponseCode.NoError, true,
            ["towild.example.org. 3600 IN CNAME x.wild.example.org.", "x.wild.example.org. 3600 IN A 192.0.2.100"], ApexNs, []) },
        { "CNAME into a delegation ends in a referral", new("todeleg.example.org.", RecordType.A, ResponseCode.NoError, true,
            ["todeleg.example.org. 3600 IN CNAME host.sub.example.org."], SubReferral, SubGlue) },
        { "delegation point is a referral", new("sub.example.org.", RecordType.NS, ResponseCode.NoError, false, [], SubReferral, SubGlue) },
        { "name below a delegation is a referral", new("x.sub.example.org.", RecordType.A, ResponseCode.NoError, false, [], SubReferral, SubGlue) },
        { "glue is not answered authoritatively", new("ns1.sub.example.org.", RecordType.A, ResponseCode.NoError, false, [], SubReferral, SubGlue) },
        { "DS at the delegation point is the parent's", new("sub.example.org.", RecordType.DS, ResponseCode.NoError, true, [], [NegativeSoa], []) },
        { "ANY returns every RRset of the name", new("www.example.org.", RecordType.ANY, ResponseCode.NoError, true, [.. WwwA, "www.example.org. 3600 IN AAAA 2001:db8::10"], [], []) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnswersAsRfc1034Says(string description, Case expected)
    {
        var response = Query(Handler.Value, expected.Name, expected.Type);

        Assert.True(response.Header.IsResponse, description);
        Assert.Equal(expected.Rcode, response.Rcode);
        Assert.Equal(expected.Aa, response.Header.AuthoritativeAnswer);
        Assert.False(response.Header.Truncated);
        Assert.Equal(SortedLines(expected.Answer), Lines(response.Answers));
        // Names in RDATA may be compressed against the client's spelling of the question: compare without case.
        Assert.Equal(SortedLines(expected.Authority).Select(l => l.ToLowerInvariant()), Lines(response.Authority).Select(l => l.ToLowerInvariant()));
        Assert.Equal(SortedLines(expected.Additional), Lines(response.Additional));
    }

    [Fact]
    public void CnameChainKeepsItsOrder()
    {
        var response = Query(Handler.Value, "alias.example.org.", RecordType.A);

        Assert.Equal(
            ["alias.example.org. 3600 IN CNAME alias2.example.org.", "alias2.example.org. 3600 IN CNAME www.example.org.", .. WwwA],
            response.Answers.Select(Normalize).ToArray());
    }

    [Fact]
    public void AnswerOwnerKeepsTheClientsCase()
    {
        var response = Query(Handler.Value, "WWW.example.org.", RecordType.A);

        Assert.All(response.Answers, record => Assert.Equal("WWW.example.org.", record.Name.ToString()));
    }

    [Fact]
    public void TooLargeRRsetOverUdpIsTruncatedAtWholeRRsets()
    {
        var response = Query(Handler.Value, "big.example.org.", RecordType.TXT);

        Assert.True(response.Header.Truncated);
        Assert.True(response.Header.AuthoritativeAnswer);
        Assert.Empty(response.Answers);
    }

    [Fact]
    public void TooLargeRRsetFitsOverTcp()
    {
        var response = Query(Handler.Value, "big.example.org.", RecordType.TXT, TransportKind.Tcp);

        Assert.False(response.Header.Truncated);
        Assert.Equal(6, response.Answers.Count);
    }

    [Fact]
    public void TooLargeRRsetFitsWithEdnsBufferSize()
    {
        var response = Query(Handler.Value, "big.example.org.", RecordType.TXT, edns: new EdnsRecord { UdpPayloadSize = 1232 });

        Assert.False(response.Header.Truncated);
        Assert.Equal(6, response.Answers.Count);
        Assert.NotNull(response.Edns);
    }

    [Fact]
    public void AdditionalRecordsThatDoNotFitAreDroppedWithoutTruncation()
    {
        var udp = Query(Handler.Value, "manymx.example.org.", RecordType.MX);
        var tcp = Query(Handler.Value, "manymx.example.org.", RecordType.MX, TransportKind.Tcp);

        Assert.False(udp.Header.Truncated);
        Assert.Equal(8, udp.Answers.Count);
        Assert.Equal(16, tcp.Additional.Count);
        Assert.InRange(udp.Additional.Count, 1, 15);
    }

    [Fact]
    public void NamesOutsideTheZoneGoToTheNextHandler()
    {
        var next = new TerminalHandler();
        var handler = new FileHandler(new ZoneSet([LoadZone(SampleZonePath, "example.org.")])) { Next = next };

        var response = Query(handler, "www.example.net.", RecordType.A);

        Assert.Equal(1, next.Calls);
        Assert.Equal(ResponseCode.Refused, response.Rcode);
    }

    [Fact]
    public void WarmAnswersAllocateNothing()
    {
        var handler = Handler.Value;
        string[] names = ["www.example.org.", "alias.example.org.", "nope.example.org.", "foo.wild.example.org.", "x.sub.example.org.", "example.org."];
        RecordType[] types = [RecordType.A, RecordType.A, RecordType.A, RecordType.A, RecordType.A, RecordType.MX];
        var contexts = names.Select((name, i) => CreateContext(name, types[i])).ToArray();
        var lengths = contexts.Select(c => c.RequestLength).ToArray();
        var requests = contexts.Select(c => c.Request.ToArray()).ToArray();
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < contexts.Length; i++)
            {
                requests[i].CopyTo(contexts[i].Buffer, 0);
                contexts[i].Reset(lengths[i], TransportKind.Udp);
                _ = handler.ServeAsync(contexts[i]);
            }
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < contexts.Length; i++)
        {
            requests[i].CopyTo(contexts[i].Buffer, 0);
            contexts[i].Reset(lengths[i], TransportKind.Udp);
            _ = handler.ServeAsync(contexts[i]);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.All(contexts, c => Assert.True(c.ResponseLength > 0));
    }

    public static TheoryData<string, string> BadZones() => new()
    {
        { "$ORIGIN example.org.\nwww 3600 IN A 192.0.2.1\n", "no SOA record" },
        { "$ORIGIN example.org.\n@ 3600 IN SOA ns hm 1 2 3 4 5\nwww.example.net. 3600 IN A 192.0.2.1\n", "outside zone" },
        { "$ORIGIN example.org.\n@ 3600 IN SOA ns hm 1 2 3 4 5\nx 3600 IN CNAME www\nx 3600 IN A 192.0.2.1\n", "CNAME record and other data" },
        { "$ORIGIN example.org.\n@ 3600 IN SOA ns hm 1 2 3 4 5\nx 3600 IN CNAME www\nx 3600 IN CNAME www2\n", "more than one CNAME" },
    };

    [Theory]
    [MemberData(nameof(BadZones))]
    public void BadZoneDataIsRejectedWithAReason(string text, string reason)
    {
        var parsed = Protocol.Text.ZoneFileReader.Read(new StringReader(text), "test.zone", DnsName.Parse("example.org."));
        Assert.True(parsed.Succeeded, parsed.Error?.ToString());

        Assert.False(AuthoritativeZone.TryCreate(DnsName.Parse("example.org."), parsed.Records, out _, out var error));
        Assert.Contains(reason, error);
    }
}
