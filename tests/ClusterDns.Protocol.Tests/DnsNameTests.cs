namespace ClusterDns.Protocol.Tests;

public class DnsNameTests
{
    /// <summary>text, wire hex, presentation form.</summary>
    public static TheoryData<string, string, string> Valid => new()
    {
        { ".", "00", "." },
        { "example.test", "076578616d706c650474657374" + "00", "example.test." },
        { "Example.TEST.", "074578616d706c650454455354" + "00", "Example.TEST." },
        { @"a\.b.test", "03612e62" + "0474657374" + "00", @"a\.b.test." },
        { @"\065\066c.test", "03414263" + "0474657374" + "00", "ABc.test." },
        { @"sp\032ace.test", "06737020616365" + "0474657374" + "00", @"sp\032ace.test." },
        { @"back\\slash.test", "0a6261636b5c736c617368" + "0474657374" + "00", @"back\\slash.test." },
        { @"\000.test", "0100" + "0474657374" + "00", @"\000.test." },
        { "_http._tcp.example.test", "055f68747470045f746370076578616d706c650474657374" + "00", "_http._tcp.example.test." },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses_to_wire_and_formats_back(string text, string hex, string presentation)
    {
        Assert.True(DnsName.TryParse(text, out var name, out var error), error);

        Assert.Equal(hex, Convert.ToHexStringLower(name.Wire));
        Assert.Equal(presentation, name.ToString());
        Assert.Equal(name, DnsName.Parse(presentation));
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "", "empty name" },
        { "a..b", "empty label" },
        { ".a", "empty label" },
        { new string('a', 64) + ".test", "label longer than 63" },
        { @"a\", "dangling escape" },
        { @"\25", "bad \\DDD escape" },
        { @"\256", "above 255" },
        { "caf\u00e9\u0100.test", "non-ASCII" },
        { string.Join('.', Enumerable.Repeat(new string('a', 63), 4)), "longer than 255" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Bad_text_is_an_error(string text, string expected)
    {
        Assert.False(DnsName.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Longest_name_is_255_bytes()
    {
        string labels = string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', 61);
        Assert.True(DnsName.TryParse(labels, out var name, out _));
        Assert.Equal(255, name.WireLength);
        Assert.False(DnsName.TryParse(labels + "b", out _, out _));
    }

    [Fact]
    public void Equality_and_hash_ignore_ascii_case()
    {
        var lower = DnsName.Parse("www.example.test");
        var mixed = DnsName.Parse("WWW.Example.TEST.");

        Assert.Equal(lower, mixed);
        Assert.True(lower == mixed);
        Assert.Equal(lower.GetHashCode(), mixed.GetHashCode());
        Assert.Equal("WWW.Example.TEST.", mixed.ToString());
        Assert.Equal("www.example.test.", mixed.ToLower().ToString());
        Assert.NotEqual(lower, DnsName.Parse("www.example.tesT2"));
    }

    [Fact]
    public void Relative_parse_reports_whether_the_name_is_absolute()
    {
        var buffer = new byte[256];
        Assert.True(DnsName.TryParseRelative("www", buffer, out int length, out bool absolute, out _));
        Assert.False(absolute);
        Assert.Equal("03777777", Convert.ToHexStringLower(buffer.AsSpan(0, length)));
        Assert.True(DnsName.TryParseRelative("www.", buffer, out _, out absolute, out _));
        Assert.True(absolute);
    }

    [Fact]
    public void Subdomains_parents_and_appending()
    {
        var zone = DnsName.Parse("cluster.local");
        var name = DnsName.Parse("kubernetes.default.svc.CLUSTER.local");

        Assert.True(name.IsSubdomainOf(zone));
        Assert.True(zone.IsSubdomainOf(zone));
        Assert.False(zone.IsSubdomainOf(name));
        Assert.False(DnsName.Parse("xcluster.local").IsSubdomainOf(zone));
        Assert.True(zone.IsSubdomainOf(DnsName.Root));
        Assert.Equal(DnsName.Parse("default.svc.cluster.local"), name.Parent());
        Assert.Equal(DnsName.Root, DnsName.Parse("local").Parent());
        Assert.Equal(DnsName.Parse("svc.cluster.local"), DnsName.Parse("svc").Append(zone));
        Assert.Equal(@"a\.b.cluster.local.", zone.Prepend("a.b").ToString());
        Assert.Equal(5, name.LabelCount);
    }

    [Fact]
    public void Canonical_order_is_rfc4034_order()
    {
        // The example list of RFC 4034 §6.1, in order.
        string[] ordered = ["example", "a.example", "yljkjljk.a.example", "Z.a.example", "zABC.a.EXAMPLE", "z.example", @"\001.z.example", "*.z.example", @"\200.z.example"];
        var names = ordered.Select(DnsName.Parse).ToList();

        var sorted = names.OrderBy(n => n).ToList();

        Assert.Equal(names.Select(n => n.ToString()), sorted.Select(n => n.ToString()));
    }

    [Fact]
    public void Wire_validation_rejects_malformed_names()
    {
        Assert.False(DnsName.TryFromWire([], out _));
        Assert.False(DnsName.TryFromWire([3, 97, 97], out _));
        Assert.False(DnsName.TryFromWire([1, 97, 0, 0], out _));
        Assert.False(DnsName.TryFromWire([0x40, .. new byte[64], 0], out _));
        Assert.True(DnsName.TryFromWire([1, 97, 0], out var name));
        Assert.Equal("a.", name.ToString());
    }
}
