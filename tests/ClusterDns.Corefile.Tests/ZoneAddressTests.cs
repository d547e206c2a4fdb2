namespace ClusterDns.Corefile.Tests;

public sealed class ZoneAddressTests
{
    public static TheoryData<string, string, int?> Keys() => new()
    {
        { ".", ".", null },
        { ".:53", ".", 53 },
        { "dns://.:53", ".", 53 },
        { "DNS://Example.org", "example.org.", null },
        { "cluster.local:53", "cluster.local.", 53 },
        { "example.org:1053", "example.org.", 1053 },
        { "example.org.:0", "example.org.", 0 },
        { "10.0.0.0/8:53", "10.in-addr.arpa.", 53 },
        { "fd00::/64", "0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", null },
        { "fd00::/64:5353", "0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", 5353 },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void Parses_a_key(string key, string zone, int? port)
    {
        ZoneAddress address = Assert.Single(ZoneAddress.Parse(key));

        Assert.Equal(new ZoneAddress(zone, port, "dns"), address);
    }

    [Theory]
    [InlineData("tls://.:8853", "tls", 8853, ".:8853")]
    [InlineData("TLS://example.org", "tls", null, "example.org.:853")]
    [InlineData("https://.", "https", null, ".:443")]
    [InlineData("https://cluster.local:8443", "https", 8443, "cluster.local.:8443")]
    public void Parses_an_encrypted_transport_with_its_default_port(string key, string scheme, int? port, string zoneAndPort)
    {
        ZoneAddress address = Assert.Single(ZoneAddress.Parse(key));

        Assert.Equal(scheme, address.Scheme);
        Assert.Equal(port, address.Port);
        Assert.Equal(zoneAndPort, address.ZoneAndPort);
    }

    [Fact]
    public void A_cidr_key_expands_and_every_zone_keeps_the_port()
    {
        IReadOnlyList<ZoneAddress> addresses = ZoneAddress.Parse("10.0.0.0/23:1053");

        Assert.Equal([new ZoneAddress("0.0.10.in-addr.arpa.", 1053), new ZoneAddress("1.0.10.in-addr.arpa.", 1053)], addresses);
    }

    [Theory]
    [InlineData("example.org", "dns://example.org.", "example.org.:53")]
    [InlineData(".:1053", "dns://.:1053", ".:1053")]
    public void Formats(string key, string text, string zoneAndPort)
    {
        ZoneAddress address = ZoneAddress.Parse(key)[0];

        Assert.Equal(text, address.ToString());
        Assert.Equal(zoneAndPort, address.ZoneAndPort);
    }

    [Theory]
    [InlineData("grpc://.:853", "scheme 'grpc://' in 'grpc://.:853' is not supported yet (only dns://, tls:// and https:// are)")]
    [InlineData("quic://.", "scheme 'quic://' in 'quic://.' is not supported yet (only dns://, tls:// and https:// are)")]
    [InlineData("example.org:", "expected a port after ':' in 'example.org:'")]
    [InlineData("example.org:65536", "port '65536' in 'example.org:65536' is out of range (0-65535)")]
    [InlineData("example.org:abc", "'example.org:abc' is not a valid zone name: character ':' is not allowed")]
    [InlineData("dns://", "'dns://' names no zone (use '.' for the root)")]
    public void Rejects_a_bad_key(string key, string reason)
    {
        Assert.False(ZoneAddress.TryParse(key, out _, out string? error));
        Assert.Equal(reason, error);
    }
}
