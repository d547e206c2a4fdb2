using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Prometheus;

namespace ClusterDns.Server.Tests.Plugins.Prometheus;

public sealed class QueryLabelsTests
{
    [Theory]
    [InlineData("192.0.2.1", 0)]
    [InlineData("::ffff:192.0.2.1", 0)]
    [InlineData("2001:db8::1", 1)]
    [InlineData("::1", 1)]
    public void Family_is_1_for_ipv4_also_when_mapped_and_2_for_ipv6(string address, int expectedIndex)
    {
        var socketAddress = new IPEndPoint(IPAddress.Parse(address), 53).Serialize();

        Assert.Equal(expectedIndex, QueryLabels.FamilyIndex(socketAddress));
    }

    [Theory]
    [InlineData(RecordType.A, "A")]
    [InlineData(RecordType.AAAA, "AAAA")]
    [InlineData(RecordType.SRV, "SRV")]
    [InlineData(RecordType.PTR, "PTR")]
    [InlineData((RecordType)50, "NSEC3")]
    [InlineData(RecordType.AXFR, "AXFR")]
    [InlineData(RecordType.OPT, "OPT")]
    [InlineData(RecordType.HTTPS, "other")]
    [InlineData(RecordType.CAA, "other")]
    public void Types_outside_coredns_list_are_other(RecordType type, string expected)
    {
        Assert.Equal(expected, QueryLabels.TypeNames[QueryLabels.TypeIndex(type)]);
    }

    [Fact]
    public void The_longest_matching_zone_wins()
    {
        byte[][] zones = [DnsName.Parse("org").Wire.ToArray(), DnsName.Parse("example.org").Wire.ToArray(), DnsName.Parse("net").Wire.ToArray()];

        Assert.Equal(1, QueryLabels.ZoneIndex(zones, DnsName.Parse("www.example.org").Wire));
        Assert.Equal(0, QueryLabels.ZoneIndex(zones, DnsName.Parse("other.org").Wire));
        Assert.Equal(-1, QueryLabels.ZoneIndex(zones, DnsName.Parse("example.com").Wire));
    }
}
