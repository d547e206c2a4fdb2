using System.Net;

namespace ClusterDns.Protocol.Tests;

public class DnsMessageWriteTests
{
    private static readonly DnsName Big = DnsName.Parse("big.example.test");
    private static readonly DnsName Www = DnsName.Parse("www.example.test");
    private static readonly EdnsRecord EdnsWithCookie = new()
    {
        UdpPayloadSize = 1232,
        Options = [new EdnsOption(EdnsOption.Cookie, [1, 2, 3, 4, 5, 6, 7, 8])],
    };

    /// <summary>Answer: an A RRset of two, then a TXT RRset of three 200-byte strings, then one more A.</summary>
    private static DnsMessage Response(EdnsRecord? edns)
    {
        var message = new DnsMessage { Edns = edns };
        message.Header.Id = 7;
        message.Header.IsResponse = true;
        message.Questions.Add(new DnsQuestion(Big, RecordType.ANY));
        message.Answers.Add(new DnsRecord(Big, 60, new AData(IPAddress.Parse("192.0.2.1"))));
        message.Answers.Add(new DnsRecord(Big, 60, new AData(IPAddress.Parse("192.0.2.2"))));
        for (int i = 0; i < 3; i++)
        {
            message.Answers.Add(new DnsRecord(Big, 60, new TxtData(new string((char)('a' + i), 200))));
        }
        message.Answers.Add(new DnsRecord(Www, 60, new AData(IPAddress.Parse("192.0.2.3"))));
        return message;
    }

    [Fact]
    public void Whole_message_fits_without_tc()
    {
        var message = Response(EdnsWithCookie);

        var bytes = message.ToArray();

        Assert.Equal(DnsError.None, DnsMessage.TryParse(bytes, out var parsed));
        Assert.False(parsed.Header.Truncated);
        Assert.Equal(6, parsed.Answers.Count);
        GoldenMessageTests.AssertSameMessage(message, parsed);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(512)]
    [InlineData(600)]
    public void Truncation_keeps_whole_rrsets_sets_tc_and_keeps_the_opt(int maxSize)
    {
        var message = Response(EdnsWithCookie);
        var buffer = new byte[4096];

        int length = message.Write(buffer, maxSize);

        Assert.InRange(length, 1, maxSize);
        Assert.Equal(DnsError.None, DnsMessage.TryParse(buffer.AsSpan(0, length), out var parsed));
        Assert.True(parsed.Header.Truncated);
        // The TXT RRset (over 600 bytes) cannot fit whole, so the answer stops after the A RRset.
        Assert.Equal(["192.0.2.1", "192.0.2.2"], parsed.Answers.Select(r => r.Data.ToString()));
        Assert.Equal(EdnsWithCookie, parsed.Edns);
    }

    [Fact]
    public void Truncation_without_edns_uses_512()
    {
        var message = Response(edns: null);

        var bytes = message.ToArray(512);

        Assert.True(bytes.Length <= 512);
        Assert.Equal(DnsError.None, DnsMessage.TryParse(bytes, out var parsed));
        Assert.True(parsed.Header.Truncated);
        Assert.Null(parsed.Edns);
    }

    [Fact]
    public void Additional_records_that_do_not_fit_are_dropped_without_tc()
    {
        var message = new DnsMessage { Edns = EdnsWithCookie };
        message.Header.IsResponse = true;
        message.Questions.Add(new DnsQuestion(Www, RecordType.A));
        message.Answers.Add(new DnsRecord(Www, 60, new AData(IPAddress.Parse("192.0.2.1"))));
        message.Additional.Add(new DnsRecord(Big, 60, new TxtData(new string('x', 250), new string('y', 250))));
        message.Additional.Add(new DnsRecord(Www, 60, new AaaaData(IPAddress.Parse("2001:db8::1"))));

        var bytes = message.ToArray(512);

        Assert.Equal(DnsError.None, DnsMessage.TryParse(bytes, out var parsed));
        Assert.False(parsed.Header.Truncated);
        Assert.Single(parsed.Answers);
        // The big TXT is left out; the small AAAA after it still fits.
        Assert.Equal(RecordType.AAAA, Assert.Single(parsed.Additional).Type);
        Assert.NotNull(parsed.Edns);
    }

    [Fact]
    public void Authority_that_does_not_fit_sets_tc()
    {
        var message = new DnsMessage();
        message.Header.IsResponse = true;
        message.Questions.Add(new DnsQuestion(Www, RecordType.TXT));
        message.Authority.Add(new DnsRecord(Big, 60, new TxtData(new string('x', 250), new string('y', 250))));

        var bytes = message.ToArray(512);

        Assert.Equal(DnsError.None, DnsMessage.TryParse(bytes, out var parsed));
        Assert.True(parsed.Header.Truncated);
        Assert.Empty(parsed.Authority);
    }

    [Fact]
    public void Too_small_for_the_question_and_opt_writes_nothing()
    {
        var message = Response(EdnsWithCookie);

        Assert.Equal(0, message.Write(new byte[4096], 40));
        Assert.Equal(0, message.Write(new byte[8], 512));
    }

    [Fact]
    public void Names_in_ns_rdata_are_compressed_and_srv_targets_are_not()
    {
        var zone = DnsName.Parse("example.test");
        var message = new DnsMessage();
        message.Questions.Add(new DnsQuestion(zone, RecordType.NS));
        message.Answers.Add(new DnsRecord(zone, 60, new NsData(DnsName.Parse("ns1.example.test"))));
        message.Answers.Add(new DnsRecord(zone, 60, new SrvData(0, 0, 80, DnsName.Parse("www.example.test"))));

        var bytes = message.ToArray();
        string hex = Convert.ToHexStringLower(bytes);

        // NS RDATA: "ns1" + pointer to the question's example.test (offset 12).
        Assert.Contains("0006" + "036e7331" + "c00c", hex, StringComparison.Ordinal);
        // SRV RDATA: the whole target, no pointer.
        Assert.Contains("0018" + "000000000050" + "03777777076578616d706c65047465737400", hex, StringComparison.Ordinal);
    }

    [Fact]
    public void Extended_rcode_is_split_between_header_and_opt()
    {
        var message = new DnsMessage { Edns = new EdnsRecord() };
        message.Header.IsResponse = true;
        message.Rcode = ResponseCode.BadVers;

        Assert.Equal(0, message.Header.Rcode);
        Assert.Equal(1, message.Edns.ExtendedRcode);
        Assert.Equal(DnsError.None, DnsMessage.TryParse(message.ToArray(), out var parsed));
        Assert.Equal(ResponseCode.BadVers, parsed.Rcode);
    }

    [Fact]
    public void Extended_rcode_without_edns_is_refused()
    {
        var message = new DnsMessage();
        Assert.Throws<InvalidOperationException>(() => message.Rcode = ResponseCode.BadVers);
        message.Rcode = ResponseCode.NXDomain;
        Assert.Equal(3, message.Header.Rcode);
    }

    [Fact]
    public void Create_query_round_trips()
    {
        var query = DnsMessage.CreateQuery(42, Www, RecordType.SRV, new EdnsRecord { DnssecOk = true });

        Assert.Equal(DnsError.None, DnsMessage.TryParse(query.ToArray(), out var parsed));

        GoldenMessageTests.AssertSameMessage(query, parsed);
        Assert.True(parsed.Header.RecursionDesired);
        Assert.Contains(";; flags: rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1", parsed.ToString());
        Assert.Contains("; EDNS: version: 0, flags: do; udp: 1232", parsed.ToString());
    }
}
