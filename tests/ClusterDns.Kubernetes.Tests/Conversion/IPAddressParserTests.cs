using ClusterDns.Kubernetes.Conversion;

namespace ClusterDns.Kubernetes.Tests.Conversion;

public sealed class IPAddressParserTests
{
    [Theory]
    [InlineData("10.96.0.10", "10.96.0.10")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("fd00:10:96::a", "fd00:10:96::a")]
    [InlineData("::1", "::1")]
    [InlineData("::ffff:10.0.0.1", "::ffff:10.0.0.1")]
    public void Accepts(string text, string expected)
    {
        Assert.True(IPAddressParser.TryParse(text, out var address));
        Assert.Equal(expected, address.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("10")]
    [InlineData("10.1")]
    [InlineData("10.0.0.256")]
    [InlineData("10.0.0.1.")]
    [InlineData("1000.0.0.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("None")]
    [InlineData("example.com")]
    public void Rejects(string? text) => Assert.False(IPAddressParser.TryParse(text, out _));
}
