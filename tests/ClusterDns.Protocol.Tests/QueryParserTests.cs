using ClusterDns.Testing.Wire;

using static ClusterDns.Protocol.Tests.Packets;

namespace ClusterDns.Protocol.Tests;

public class QueryParserTests
{
    public static TheoryData<string, string, QueryVerdict> Verdicts => new()
    {
        { "query with EDNS", Header(1, 0, 0, 1) + Question + Opt, QueryVerdict.Accept },
        { "query without EDNS", Header(1) + Question, QueryVerdict.Accept },
        { "query with a non-OPT additional record", Header(1, 0, 0, 1) + Question + AnswerA, QueryVerdict.Accept },
        { "QR=1", Header(1, flags: "8100") + Question, QueryVerdict.Drop },
        { "11 bytes", "1234010000010000000000", QueryVerdict.Drop },
        { "empty", "", QueryVerdict.Drop },
        { "opcode NOTIFY", Header(1, flags: "2000") + Question, QueryVerdict.Notify },
        { "opcode NOTIFY without a question", Header(0, flags: "2000"), QueryVerdict.FormErr },
        { "opcode UPDATE", Header(1, flags: "2800") + Question, QueryVerdict.NotImp },
        { "opcode IQUERY", Header(1, flags: "0800") + Question, QueryVerdict.NotImp },
        { "QDCOUNT 0", Header(0), QueryVerdict.FormErr },
        { "QDCOUNT 2", Header(2) + Question + Question, QueryVerdict.FormErr },
        { "EDNS version 1", Header(1, 0, 0, 1) + Question + "00" + "0029" + "04d0" + "00010000" + "0000", QueryVerdict.BadVers },
        { "OPT in the answer section", Header(1, 1) + Question + Opt, QueryVerdict.FormErr },
        { "two OPT records", Header(1, 0, 0, 2) + Question + Opt + Opt, QueryVerdict.FormErr },
        { "OPT with a non-root owner", Header(1, 0, 0, 1) + Question + "c00c002904d0000000000000", QueryVerdict.FormErr },
        { "OPT options overrun", Header(1, 0, 0, 1) + Question + "00002904d000000000" + "0004" + "000a0008", QueryVerdict.FormErr },
        { "question with a pointer loop", Header(1) + "c00c00010001", QueryVerdict.FormErr },
        { "question cut short", Header(1) + "0377777700", QueryVerdict.FormErr },
        { "trailing bytes", Header(1) + Question + "0000", QueryVerdict.FormErr },
        { "additional count larger than the packet", Header(1, 0, 0, 3) + Question + Opt, QueryVerdict.FormErr },
    };

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void Verdict(string description, string hex, QueryVerdict expected)
    {
        var lowerName = new byte[WireName.MaxLength];

        var verdict = QueryParser.Parse(Bytes(hex), lowerName, out _);

        Assert.True(expected == verdict, $"{description}: expected {expected}, got {verdict}");
    }

    [Fact]
    public void Accepted_query_has_its_lower_cased_name_type_and_question_end()
    {
        var packet = Bytes(Header(1) + "03575777076578416d706c650454455354" + "00" + "001c0001");
        var lowerName = new byte[WireName.MaxLength];

        Assert.Equal(QueryVerdict.Accept, QueryParser.Parse(packet, lowerName, out var query));

        Assert.Equal("www.example.test.", DnsName.Format(lowerName.AsSpan(0, query.NameLength)));
        Assert.Equal(RecordType.AAAA, query.Type);
        Assert.Equal(RecordClass.IN, query.Class);
        Assert.Equal(34, query.QuestionEnd);
        Assert.Equal(0x1234, query.Header.Id);
        Assert.False(query.Edns.IsPresent);
        Assert.Equal(512, query.Edns.EffectiveUdpSize);
    }

    [Fact]
    public void Dig_query_with_do_and_cookie_gives_the_edns_details()
    {
        var packet = WireHex.Load("aaaa-do-cookie.query");
        var lowerName = new byte[WireName.MaxLength];

        Assert.Equal(QueryVerdict.Accept, QueryParser.Parse(packet, lowerName, out var query));

        Assert.True(query.Edns.IsPresent);
        Assert.True(query.Edns.DnssecOk);
        Assert.Equal(0, query.Edns.Version);
        Assert.Equal(1232, query.Edns.EffectiveUdpSize);
        Assert.Equal("000a00080102030405060708", Convert.ToHexStringLower(packet.AsSpan(query.Edns.OptionsOffset, query.Edns.OptionsLength)));
    }

    [Fact]
    public void Udp_size_below_512_counts_as_512()
    {
        var packet = Bytes(Header(1, 0, 0, 1) + Question + "00" + "0029" + "0100" + "00000000" + "0000");
        var lowerName = new byte[WireName.MaxLength];

        Assert.Equal(QueryVerdict.Accept, QueryParser.Parse(packet, lowerName, out var query));

        Assert.Equal(256, query.Edns.UdpPayloadSize);
        Assert.Equal(512, query.Edns.EffectiveUdpSize);
    }

    [Fact]
    public void Bad_version_still_reports_the_header_and_question()
    {
        var packet = Bytes(Header(1, 0, 0, 1) + Question + "00" + "0029" + "04d0" + "00010000" + "0000");
        var lowerName = new byte[WireName.MaxLength];

        Assert.Equal(QueryVerdict.BadVers, QueryParser.Parse(packet, lowerName, out var query));

        Assert.Equal(34, query.QuestionEnd);
        Assert.Equal(1, query.Edns.Version);
    }
}
