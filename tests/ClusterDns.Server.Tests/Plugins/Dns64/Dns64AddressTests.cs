using System.Net;
using ClusterDns.Server.Plugins.Dns64;

namespace ClusterDns.Server.Tests.Plugins.Dns64;

/// <summary>RFC 6052 section 2.4's table of IPv4-embedded addresses, and CoreDNS's TestTo6.</summary>
public sealed class Dns64AddressTests
{
    [Theory]
    // RFC 6052 section 2.4: 192.0.2.33 in each prefix length (bits 64-71 stay zero).
    [InlineData("2001:db8::", 32, "192.0.2.33", "2001:db8:c000:221::")]
    [InlineData("2001:db8:100::", 40, "192.0.2.33", "2001:db8:1c0:2:21::")]
    [InlineData("2001:db8:122::", 48, "192.0.2.33", "2001:db8:122:c000:2:2100::")]
    [InlineData("2001:db8:122:300::", 56, "192.0.2.33", "2001:db8:122:3c0:0:221::")]
    [InlineData("2001:db8:122:344::", 64, "192.0.2.33", "2001:db8:122:344:c0:2:2100:0")]
    [InlineData("2001:db8:122:344::", 96, "192.0.2.33", "2001:db8:122:344::c000:221")]
    [InlineData("64:ff9b::", 96, "192.0.2.33", "64:ff9b::c000:221")]
    // CoreDNS's TestTo6.
    [InlineData("64:ff9b::", 96, "64.64.64.64", "64:ff9b::4040:4040")]
    [InlineData("64:ff9b::", 64, "64.64.64.64", "64:ff9b::40:4040:4000:0")]
    [InlineData("64:ff9b::", 56, "64.64.64.64", "64:ff9b:0:40:40:4040::")]
    [InlineData("64::", 32, "64.64.64.64", "64:0:4040:4040::")]
    public void Ipv4_addresses_are_embedded_as_rfc6052_lays_them_out(string prefix, int length, string ipv4, string expected)
    {
        var address = IPAddress.Parse(ipv4);
        var options = new Dns64Options { Prefix = IPAddress.Parse(prefix).GetAddressBytes(), PrefixLength = length };

        Assert.Equal(IPAddress.Parse(expected), Dns64Synthesis.Translate(options, address));
    }

    [Fact]
    public void The_u_octet_is_zero_even_when_a_96_prefix_sets_it()
    {
        var options = new Dns64Options { Prefix = IPAddress.Parse("2001:db8:0:0:ff00::").GetAddressBytes(), PrefixLength = 96 };
        Assert.Equal(IPAddress.Parse("2001:db8::c000:221"), Dns64Synthesis.Translate(options, IPAddress.Parse("192.0.2.33")));
    }
}
