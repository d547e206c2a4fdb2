namespace ClusterDns.Corefile.Tests;

public sealed class ZoneNamesTests
{
    public static TheoryData<string, string[]> Valid() => new()
    {
        { ".", ["."] },
        { "Example.ORG", ["example.org."] },
        { "example.org.", ["example.org."] },
        { "_tcp.my-zone.local", ["_tcp.my-zone.local."] },
        { "in-addr.arpa", ["in-addr.arpa."] },
        { "10.0.0.0/8", ["10.in-addr.arpa."] },
        { "10.0.0.0/24", ["0.0.10.in-addr.arpa."] },
        { "10.1.2.3/16", ["1.10.in-addr.arpa."] },
        { "192.168.1.7/32", ["7.1.168.192.in-addr.arpa."] },
        { "0.0.0.0/0", ["in-addr.arpa."] },
        { "10.0.0.0/23", ["0.0.10.in-addr.arpa.", "1.0.10.in-addr.arpa."] },
        { "10.0.0.0/31", ["0.0.0.10.in-addr.arpa.", "1.0.0.10.in-addr.arpa."] },
        { "fd00::/64", ["0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa."] },
        { "2001:DB8::/32", ["8.b.d.0.1.0.0.2.ip6.arpa."] },
        { "fd00::/7", ["c.f.ip6.arpa.", "d.f.ip6.arpa."] },
        { "2001:db8::/30", ["8.b.d.0.1.0.0.2.ip6.arpa.", "9.b.d.0.1.0.0.2.ip6.arpa.", "a.b.d.0.1.0.0.2.ip6.arpa.", "b.b.d.0.1.0.0.2.ip6.arpa."] },
        { "::/0", ["ip6.arpa."] },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Normalizes(string text, string[] expected)
    {
        Assert.Equal(expected, ZoneNames.Normalize(text));
    }

    [Fact]
    public void A_prefix_off_an_octet_boundary_lists_every_covering_zone()
    {
        IReadOnlyList<string> zones = ZoneNames.Normalize("10.0.0.0/17");

        Assert.Equal(128, zones.Count);
        Assert.Equal("0.0.10.in-addr.arpa.", zones[0]);
        Assert.Equal("127.0.10.in-addr.arpa.", zones[^1]);
        Assert.Equal(Enumerable.Range(16, 16).Select(i => $"{i}.172.in-addr.arpa."), ZoneNames.Normalize("172.16.0.0/12"));
        Assert.Equal(Enumerable.Range(128, 128).Select(i => $"{i}.0.10.in-addr.arpa."), ZoneNames.Normalize("10.0.128.0/17"));
    }

    public static TheoryData<string, string> Invalid() => new()
    {
        { "", "zone name is empty" },
        { "a..b", "'a..b' is not a valid zone name: empty label" },
        { "..", "'..' is not a valid zone name: empty label" },
        { new string('a', 64) + ".org", $"'{new string('a', 64)}.org' is not a valid zone name: label '{new string('a', 64)}' is longer than 63 characters" },
        { string.Join('.', Enumerable.Repeat(new string('a', 63), 4)), $"'{string.Join('.', Enumerable.Repeat(new string('a', 63), 4))}' is not a valid zone name: longer than 255 octets" },
        { "exa$mple.org", "'exa$mple.org' is not a valid zone name: character '$' is not allowed" },
        { "bücher.de", "'bücher.de' is not a valid zone name: character 'ü' is not allowed" },
        { "10.0.0/8", "'10.0.0/8' is not a valid CIDR: '10.0.0' is not an IP address" },
        { "foo/8", "'foo/8' is not a valid CIDR: 'foo' is not an IP address" },
        { "10.0.0.0/", "'10.0.0.0/' is not a valid CIDR: prefix length must be 0 to 32" },
        { "10.0.0.0/8/9", "'10.0.0.0/8/9' is not a valid CIDR: prefix length must be 0 to 32" },
        { "10.0.0.0/-1", "'10.0.0.0/-1' is not a valid CIDR: prefix length must be 0 to 32" },
        { "fd00::/129", "'fd00::/129' is not a valid CIDR: prefix length must be 0 to 128" },
        { "fe80::1%eth0/64", "'fe80::1%eth0/64' is not a valid CIDR: 'fe80::1%eth0' is not an IP address" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Rejects_garbage_with_a_reason(string text, string reason)
    {
        Assert.False(ZoneNames.TryNormalize(text, out _, out string? error));
        Assert.Equal(reason, error);
        Assert.Equal(reason, Assert.Throws<FormatException>(() => ZoneNames.Normalize(text)).Message);
    }
}
