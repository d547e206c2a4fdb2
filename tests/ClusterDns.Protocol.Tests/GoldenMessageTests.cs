using ClusterDns.Testing.Wire;

namespace ClusterDns.Protocol.Tests;

/// <summary>
/// Messages captured from real tools (dig 9.18, kdig 3.2 queries; knotd 3.2 responses) — see the comment
/// lines in testdata/wire/*.hex. Expected records are written as zone-file lines.
/// </summary>
public class GoldenMessageTests
{
    public static TheoryData<string> AllGolden => WireHex.AllNamesData();

    public static TheoryData<string, string, string, string[], string[], string[]> Responses => new()
    {
        { "a-edns.response", "www.example.test. IN A", "NOERROR", ["www.example.test. 3600 IN A 192.0.2.1", "www.example.test. 3600 IN A 192.0.2.2"], [], [] },
        { "a-noedns.response", "www.example.test. IN A", "NOERROR", ["www.example.test. 3600 IN A 192.0.2.1", "www.example.test. 3600 IN A 192.0.2.2"], [], [] },
        { "aaaa-do-cookie.response", "www.example.test. IN AAAA", "NOERROR", ["www.example.test. 3600 IN AAAA 2001:db8::1"], [], [] },
        { "cname.response", "alias.example.test. IN A", "NOERROR",
            ["alias.example.test. 3600 IN CNAME www.example.test.", "www.example.test. 3600 IN A 192.0.2.1", "www.example.test. 3600 IN A 192.0.2.2"], [], [] },
        { "soa.response", "example.test. IN SOA", "NOERROR",
            ["example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 1800 1209600 300"], [], [] },
        { "ns.response", "example.test. IN NS", "NOERROR",
            ["example.test. 3600 IN NS ns1.example.test.", "example.test. 3600 IN NS ns2.example.net."], [], ["ns1.example.test. 3600 IN A 192.0.2.53"] },
        { "mx.response", "example.test. IN MX", "NOERROR",
            ["example.test. 3600 IN MX 10 mail.example.test.", "example.test. 3600 IN MX 20 mail.example.net."], [], ["mail.example.test. 3600 IN A 192.0.2.25"] },
        { "txt.response", "txt.example.test. IN TXT", "NOERROR",
            ["txt.example.test. 3600 IN TXT \"\"", "txt.example.test. 3600 IN TXT \"v=spf1 -all\" \"second string\" \"quote\\\" and \\\\ and \\010\""], [], [] },
        { "srv.response", "_http._tcp.example.test. IN SRV", "NOERROR",
            ["_http._tcp.example.test. 3600 IN SRV 0 5 80 www.example.test.", "_http._tcp.example.test. 3600 IN SRV 10 5 8080 www2.example.net."], [],
            ["www.example.test. 3600 IN A 192.0.2.1", "www.example.test. 3600 IN A 192.0.2.2", "www.example.test. 3600 IN AAAA 2001:db8::1"] },
        { "caa.response", "example.test. IN CAA", "NOERROR",
            ["example.test. 3600 IN CAA 0 issue \"letsencrypt.org\"", "example.test. 3600 IN CAA 128 iodef \"mailto:sec@example.test\""], [], [] },
        { "ptr.response", "1.2.example.test. IN PTR", "NOERROR", ["1.2.example.test. 3600 IN PTR www.example.test."], [], [] },
        { "unknown.response", "unknown.example.test. IN TYPE65280", "NOERROR", ["unknown.example.test. 3600 IN TYPE65280 \\# 4 0a000001"], [], [] },
        { "nxdomain.response", "nope.example.test. IN A", "NXDOMAIN", [],
            ["example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 1800 1209600 300"], [] },
        { "truncated.response", "big.example.test. IN TXT", "NOERROR", [], [], [] },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void Response_parses_to_the_records_knot_sent(string name, string question, string rcode, string[] answers, string[] authority, string[] additional)
    {
        Assert.Equal(DnsError.None, DnsMessage.TryParse(WireHex.Load(name), out var message));

        Assert.True(message.Header.IsResponse);
        Assert.True(message.Header.AuthoritativeAnswer);
        Assert.Equal(Opcode.Query, message.Header.Opcode);
        Assert.Equal(question, Assert.Single(message.Questions).ToString());
        Assert.Equal(rcode, RecordTypeNames.ToText(message.Rcode));
        Assert.Equal(answers, message.Answers.Select(r => r.ToString()));
        Assert.Equal(authority, message.Authority.Select(r => r.ToString()));
        Assert.Equal(additional, message.Additional.Select(r => r.ToString()));
    }

    [Fact]
    public void Dig_query_with_edns_has_its_buffer_size_and_no_options()
    {
        Assert.Equal(DnsError.None, DnsMessage.TryParse(WireHex.Load("a-edns.query"), out var query));

        Assert.Equal(0x1477, query.Header.Id);
        Assert.False(query.Header.IsResponse);
        Assert.True(query.Header.RecursionDesired);
        Assert.True(query.Header.AuthenticData); // dig sets AD on queries by default
        Assert.Equal(new DnsQuestion(DnsName.Parse("www.example.test"), RecordType.A), Assert.Single(query.Questions));
        Assert.NotNull(query.Edns);
        Assert.Equal(1232, query.Edns.UdpPayloadSize);
        Assert.Equal(0, query.Edns.Version);
        Assert.False(query.Edns.DnssecOk);
        Assert.Empty(query.Edns.Options);
        Assert.Empty(query.Additional);
    }

    [Fact]
    public void Dig_query_without_edns_has_no_opt()
    {
        Assert.Equal(DnsError.None, DnsMessage.TryParse(WireHex.Load("a-noedns.query"), out var query));
        Assert.Null(query.Edns);
        Assert.Equal(0, query.Header.AdditionalCount);
    }

    [Fact]
    public void Dig_query_with_dnssec_and_cookie_carries_do_and_the_cookie()
    {
        Assert.Equal(DnsError.None, DnsMessage.TryParse(WireHex.Load("aaaa-do-cookie.query"), out var query));

        Assert.NotNull(query.Edns);
        Assert.True(query.Edns.DnssecOk);
        var cookie = Assert.Single(query.Edns.Options);
        Assert.Equal(EdnsOption.Cookie, cookie.Code);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, cookie.Data);
        Assert.Equal(RecordType.AAAA, query.Questions[0].Type);
    }

    [Fact]
    public void Kdig_nsid_query_and_knot_nsid_answer()
    {
        Assert.Equal(DnsError.None, DnsMessage.TryParse(WireHex.Load("kdig-nsid.query"), out var query));
        Assert.Equal(DnsError.None, DnsMessage.TryParse(WireHex.Load("kdig-nsid.response"), out var response));

        Assert.Equal(4096, query.Edns!.UdpPayloadSize);
        var asked = Assert.Single(query.Edns.Options);
        Assert.Equal(EdnsOption.Nsid, asked.Code);
        Assert.Empty(asked.Data);
        var answered = Assert.Single(response.Edns!.Options);
        Assert.Equal(EdnsOption.Nsid, answered.Code);
        Assert.NotEmpty(answered.Data);
        Assert.Equal(query.Header.Id, response.Header.Id);
    }

    [Fact]
    public void Knot_truncated_answer_has_tc_and_keeps_the_opt()
    {
        Assert.Equal(DnsError.None, DnsMessage.TryParse(WireHex.Load("truncated.response"), out var response));
        Assert.True(response.Header.Truncated);
        Assert.Empty(response.Answers);
        Assert.NotNull(response.Edns);
    }

    [Theory]
    [MemberData(nameof(AllGolden))]
    public void Rewriting_gives_an_equal_message(string name)
    {
        var original = WireHex.Load(name);
        Assert.Equal(DnsError.None, DnsMessage.TryParse(original, out var message));

        var rewritten = message.ToArray();

        Assert.Equal(DnsError.None, DnsMessage.TryParse(rewritten, out var again));
        AssertSameMessage(message, again);
    }

    /// <summary>
    /// dig and Knot compress as our writer does (longest earlier suffix; SRV targets never compressed but
    /// pointed to), so the bytes match exactly.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllGolden))]
    public void Rewriting_gives_the_same_bytes(string name)
    {
        var original = WireHex.Load(name);
        Assert.Equal(DnsError.None, DnsMessage.TryParse(original, out var message));

        Assert.Equal(Convert.ToHexString(original), Convert.ToHexString(message.ToArray()));
    }

    [Theory]
    [MemberData(nameof(AllGolden))]
    public void Every_prefix_fails_cleanly(string name)
    {
        var packet = WireHex.Load(name);
        for (int length = 0; length < packet.Length; length++)
        {
            var error = DnsMessage.TryParse(packet.AsSpan(0, length), out _);
            Assert.True(error is DnsError.Truncated or DnsError.BadCount, $"prefix of {length} bytes: {error}");
        }
    }

    [Theory]
    [MemberData(nameof(AllGolden))]
    public void Every_prefix_of_a_query_gets_drop_or_formerr(string name)
    {
        if (!name.EndsWith(".query", StringComparison.Ordinal))
        {
            return;
        }
        var packet = WireHex.Load(name);
        var lowerName = new byte[WireName.MaxLength];
        Assert.Equal(QueryVerdict.Accept, QueryParser.Parse(packet, lowerName, out _));
        for (int length = 0; length < packet.Length; length++)
        {
            var verdict = QueryParser.Parse(packet.AsSpan(0, length), lowerName, out _);
            Assert.Equal(length < DnsHeader.Size ? QueryVerdict.Drop : QueryVerdict.FormErr, verdict);
        }
    }

    internal static void AssertSameMessage(DnsMessage expected, DnsMessage actual)
    {
        Assert.Equal(expected.Header.Id, actual.Header.Id);
        Assert.Equal(expected.Header.Flags, actual.Header.Flags);
        Assert.Equal(expected.Questions, actual.Questions);
        Assert.Equal(expected.Answers, actual.Answers);
        Assert.Equal(expected.Authority, actual.Authority);
        Assert.Equal(expected.Additional, actual.Additional);
        Assert.Equal(expected.Edns, actual.Edns);
        Assert.Equal(expected.ToString(), actual.ToString());
    }
}
