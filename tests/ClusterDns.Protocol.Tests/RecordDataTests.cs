using System.Net;

namespace ClusterDns.Protocol.Tests;

public class RecordDataTests
{
    private static readonly DnsName Origin = DnsName.Parse("example.test.");

    /// <summary>type, presentation text as written, canonical presentation, uncompressed RDATA.</summary>
    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "A", "192.0.2.1", "192.0.2.1", "c0000201" },
        { "AAAA", "2001:DB8::1", "2001:db8::1", "20010db8000000000000000000000001" },
        { "NS", "ns1.example.net.", "ns1.example.net.", "036e7331076578616d706c65036e657400" },
        { "CNAME", "www", "www.example.test.", "03777777076578616d706c65047465737400" },
        { "PTR", "@", "example.test.", "076578616d706c65047465737400" },
        { "SOA", "ns1 hostmaster ( 2024010101 2h 30m 2w 5M )", "ns1.example.test. hostmaster.example.test. 2024010101 7200 1800 1209600 300",
            "036e7331076578616d706c650474657374000a686f73746d6173746572076578616d706c6504746573740078a3f17500001c200000070800127500" + "0000012c" },
        { "MX", "10 mail", "10 mail.example.test.", "000a046d61696c076578616d706c65047465737400" },
        { "TXT", "\"v=spf1 -all\" bare \"a\\\"b\\\\c\\010\"", "\"v=spf1 -all\" \"bare\" \"a\\\"b\\\\c\\010\"", "0b763d73706631202d616c6c" + "0462617265" + "066122625c630a" },
        { "TXT", "\"\"", "\"\"", "00" },
        { "TXT", "\"semi;colon (paren)\"", "\"semi;colon (paren)\"", "1273656d693b636f6c6f6e2028706172656e29" },
        { "SRV", "0 5 80 www", "0 5 80 www.example.test.", "0000000500500377777707" + "6578616d706c65047465737400" },
        { "CAA", "0 issue \"letsencrypt.org\"", "0 issue \"letsencrypt.org\"", "00056973737565" + "6c657473656e63727970742e6f7267" },
        { "CAA", "128 iodef \"mailto:a@b\"", "128 iodef \"mailto:a@b\"", "8005696f646566" + "6d61696c746f3a614062" },
        { "TYPE65280", "\\# 4 0A000001", "\\# 4 0a000001", "0a000001" },
        { "TYPE1234", "\\# 0", "\\# 0", "" },
        { "DS", "\\# 4 ( 0102 0304 )", "\\# 4 01020304", "01020304" },
        // RFC 3597 §5: the generic form is accepted for known types too and gives the typed data.
        { "A", "\\# 4 C0000201", "192.0.2.1", "c0000201" },
        { "MX", "\\# 8 000A 046D61696C00", "10 mail.", "000a046d61696c00" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Presentation_and_wire_agree(string typeText, string text, string canonical, string hex)
    {
        Assert.True(RecordTypeNames.TryParse(typeText, out RecordType type));

        Assert.True(RecordData.TryParse(type, Fields.Split(text), Origin, out var data, out var error), error);

        Assert.Equal(type, data.Type);
        Assert.Equal(canonical, data.ToString());
        Assert.Equal(hex, Convert.ToHexStringLower(data.ToWire()));

        // Wire back to typed data, and the canonical text parses to the same data.
        var wire = data.ToWire();
        Assert.Equal(DnsError.None, RecordData.TryRead(type, wire, 0, wire.Length, out var read));
        Assert.Equal(data, read);
        Assert.Equal(canonical, read.ToString());
        Assert.True(RecordData.TryParse(type, Fields.Split(canonical), Origin, out var reparsed, out error), error);
        Assert.Equal(data, reparsed);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generic_form_of_every_type_round_trips(string typeText, string text, string canonical, string hex)
    {
        Assert.True(RecordTypeNames.TryParse(typeText, out RecordType type));
        Assert.True(RecordData.TryParse(type, Fields.Split(text), Origin, out var data, out _));
        var wire = data.ToWire();
        string generic = $"\\# {wire.Length} {Convert.ToHexString(wire)}";

        Assert.True(RecordData.TryParse(type, Fields.Split(generic), Origin, out var fromGeneric, out var error), error);

        Assert.Equal(data, fromGeneric);
        Assert.Equal(canonical, fromGeneric.ToString());
        _ = hex;
    }

    [Fact]
    public void Unknown_type_round_trips_through_a_message()
    {
        var type = (RecordType)65280;
        var message = new DnsMessage();
        message.Header.IsResponse = true;
        message.Questions.Add(new DnsQuestion(DnsName.Parse("unknown.example.test"), type));
        message.Answers.Add(new DnsRecord(DnsName.Parse("unknown.example.test"), 60, new UnknownData(type, [0x0a, 0, 0, 1])));

        Assert.Equal(DnsError.None, DnsMessage.TryParse(message.ToArray(), out var parsed));

        var record = Assert.Single(parsed.Answers);
        Assert.Equal("unknown.example.test. 60 IN TYPE65280 \\# 4 0a000001", record.ToString());
        Assert.IsType<UnknownData>(record.Data);
    }

    public static TheoryData<string, string, string> ParseErrors => new()
    {
        { "A", "1.2.3", "bad IPv4 address" },
        { "A", "1.2.3.4 5", "expected 1 RDATA field" },
        { "A", "2001:db8::1", "bad IPv4 address" },
        { "AAAA", "192.0.2.1", "bad IPv6 address" },
        { "AAAA", "fe80::1%eth0", "bad IPv6 address" },
        { "NS", "a..b", "empty label" },
        { "CNAME", "", "expected 1 RDATA field" },
        { "MX", "x mail", "bad preference" },
        { "MX", "10", "expected 2 RDATA fields" },
        { "SOA", "ns1 hostmaster 1 2 3 4", "expected 7 RDATA fields" },
        { "SOA", "ns1 hostmaster 1 2x 3 4 5", "bad refresh" },
        { "SOA", "ns1 hostmaster -1 2 3 4 5", "bad serial" },
        { "SRV", "0 5 70000 www", "bad port" },
        { "TXT", "", "at least one character-string" },
        { "TXT", "\"\\999\"", "above 255" },
        { "TXT", "\"\\12\"", "bad \\DDD escape" },
        { "CAA", "0 is-sue \"x\"", "bad CAA tag" },
        { "CAA", "256 issue \"x\"", "bad CAA flags" },
        { "A", "\\# 3 0A0000", "not valid A RDATA" },
        { "A", "\\# 4 0A00", "says 4 bytes but has 2" },
        { "A", "\\# x 0A00", "generic RDATA needs" },
        { "A", "\\# 2 0G00", "bad hex" },
        { "DS", "1 2 3 abcd", "generic form" },
    };

    [Theory]
    [MemberData(nameof(ParseErrors))]
    public void Bad_presentation_is_a_clear_error(string typeText, string text, string expected)
    {
        Assert.True(RecordTypeNames.TryParse(typeText, out RecordType type));

        Assert.False(RecordData.TryParse(type, Fields.Split(text), Origin, out _, out var error));

        Assert.Contains(expected, error);
    }

    [Fact]
    public void Character_string_longer_than_255_bytes_is_rejected()
    {
        Assert.False(RecordData.TryParse(RecordType.TXT, ["\"" + new string('x', 256) + "\""], Origin, out _, out var error));
        Assert.Contains("longer than 255", error);
        Assert.True(RecordData.TryParse(RecordType.TXT, ["\"" + new string('x', 255) + "\""], Origin, out _, out error), error);
    }

    [Fact]
    public void Txt_longer_than_the_rdata_limit_is_an_error()
    {
        var fields = Enumerable.Repeat(new string('x', 255), 257).ToList();

        Assert.False(RecordData.TryParse(RecordType.TXT, fields, Origin, out _, out var error));

        Assert.Contains("longer than 65535", error);
    }

    [Fact]
    public void Unterminated_quote_given_directly_is_an_error()
    {
        Assert.False(RecordData.TryParse(RecordType.TXT, ["\"abc"], Origin, out _, out var error));
        Assert.Contains("unterminated", error);
    }

    public static TheoryData<string, string, DnsError> WireErrors => new()
    {
        { "A", "0a0000", DnsError.BadRdata },
        { "A", "0a00000102", DnsError.BadRdata },
        { "AAAA", "0a000001", DnsError.BadRdata },
        { "MX", "00", DnsError.BadRdata },
        { "NS", "03777777", DnsError.BadRdata }, // name runs past the RDATA
        { "NS", "0377777700ff", DnsError.BadRdata }, // a byte left over
        { "NS", "40", DnsError.BadLabel },
        { "TXT", "05616263", DnsError.BadRdata },
        { "TXT", "", DnsError.BadRdata },
        { "SOA", "0000000000", DnsError.BadRdata },
        { "SRV", "00000000", DnsError.BadRdata },
        { "CAA", "0000", DnsError.BadRdata },
        { "CAA", "00022d2d", DnsError.BadRdata },
        { "OPT", "000a0008010203", DnsError.BadOpt },
    };

    [Theory]
    [MemberData(nameof(WireErrors))]
    public void Bad_wire_rdata_is_an_error_value(string typeText, string hex, DnsError expected)
    {
        Assert.True(RecordTypeNames.TryParse(typeText, out RecordType type));
        var bytes = Convert.FromHexString(hex);

        Assert.Equal(expected, RecordData.TryRead(type, bytes, 0, bytes.Length, out var data));

        // The raw bytes stay available for logging.
        Assert.Equal(bytes, Assert.IsType<UnknownData>(data).Data);
    }

    [Fact]
    public void Rdata_range_outside_the_message_is_truncated()
    {
        Assert.Equal(DnsError.Truncated, RecordData.TryRead(RecordType.A, new byte[4], 2, 4, out _));
        Assert.Equal(DnsError.Truncated, RecordData.TryRead(RecordType.A, new byte[4], -1, 4, out _));
    }

    [Fact]
    public void Names_in_rdata_follow_compression_pointers_into_the_message()
    {
        // A message-like buffer: 12 header bytes, "example.test" at 12, then MX RDATA "10 mail" + pointer to 12.
        var message = Convert.FromHexString("000000000000000000000000" + "076578616d706c6504746573740000" + "000a046d61696cc00c");
        int rdataOffset = 12 + 15;

        Assert.Equal(DnsError.None, RecordData.TryRead(RecordType.MX, message, rdataOffset, 9, out var data));

        Assert.Equal("10 mail.example.test.", data.ToString());
    }

    [Fact]
    public void Record_data_equality_is_by_type_and_content()
    {
        Assert.Equal(new AData(IPAddress.Parse("192.0.2.1")), new AData(IPAddress.Parse("192.0.2.1")));
        Assert.NotEqual<RecordData>(new AData(IPAddress.Parse("192.0.2.1")), new AData(IPAddress.Parse("192.0.2.2")));
        Assert.NotEqual<RecordData>(new NsData(Origin), new CNameData(Origin));
        Assert.Equal(new TxtData("a", "b").GetHashCode(), new TxtData("a", "b").GetHashCode());
    }

    [Fact]
    public void Constructors_reject_data_that_cannot_be_encoded()
    {
        Assert.Throws<ArgumentException>(() => new AData(IPAddress.IPv6Loopback));
        Assert.Throws<ArgumentException>(() => new AaaaData(IPAddress.Loopback));
        Assert.Throws<ArgumentException>(() => new TxtData(new string('x', 256)));
        Assert.Throws<ArgumentException>(() => new TxtData(Array.Empty<byte[]>()));
        Assert.Throws<ArgumentException>(() => new CaaData(0, "", "x"));
        Assert.Throws<ArgumentException>(() => new DnsRecord(Origin, RecordType.A, RecordClass.IN, 1, new NsData(Origin)));
    }

    [Fact]
    public void Opt_data_presents_in_generic_form()
    {
        var opt = new OptData([new EdnsOption(EdnsOption.Cookie, [1, 2, 3, 4, 5, 6, 7, 8])]);
        Assert.Equal("\\# 12 000a00080102030405060708", opt.ToString());
        Assert.True(RecordData.TryParse(RecordType.OPT, Fields.Split(opt.ToString()), null, out var parsed, out var error), error);
        Assert.Equal(opt, parsed);
    }
}
