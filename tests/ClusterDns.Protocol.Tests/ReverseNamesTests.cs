using System.Net;

namespace ClusterDns.Protocol.Tests;

public class ReverseNamesTests
{
    [Theory]
    [InlineData("10.96.0.10", "10.0.96.10.in-addr.arpa.")]
    [InlineData("192.0.2.255", "255.2.0.192.in-addr.arpa.")]
    [InlineData("2001:db8::567:89ab", "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")]
    [InlineData("::ffff:10.0.0.1", "1.0.0.0.0.0.a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.")]
    public void Of_gives_the_ptr_owner_name(string address, string expected) =>
        Assert.Equal(expected, ReverseNames.Of(IPAddress.Parse(address)).ToString());
}
