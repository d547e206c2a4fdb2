namespace ClusterDns.Protocol.Tests;

public sealed class WireNameZoneTests
{
    private static readonly byte[][] Zones =
    [
        DnsName.Parse("cluster.local.").Wire.ToArray(),
        DnsName.Parse("svc.cluster.local.").Wire.ToArray(),
        DnsName.Parse("in-addr.arpa.").Wire.ToArray(),
    ];

    [Theory]
    [InlineData("web.default.svc.cluster.local.", 1)]
    [InlineData("svc.cluster.local.", 1)]
    [InlineData("pod.cluster.local.", 0)]
    [InlineData("1.0.96.10.in-addr.arpa.", 2)]
    [InlineData("example.org.", -1)]
    [InlineData("local.", -1)]
    [InlineData("xcluster.local.", -1)]
    public void The_longest_containing_zone_is_found(string name, int expected)
    {
        var wire = DnsName.Parse(name).Wire;
        Assert.Equal(expected, WireName.IndexOfLongestZone(wire, Zones));
        Assert.Equal(expected >= 0, WireName.IsInAnyZone(wire, Zones));
    }
}
