using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.LoadBalance;
using ClusterDns.Server.Tests.Http;
using static ClusterDns.Server.Tests.Plugins.LoadBalance.AnswerRotatorTests;

namespace ClusterDns.Server.Tests.Plugins.LoadBalance;

/// <summary>CoreDNS's loadbalance prefer_test, restated per address set.</summary>
public sealed class PreferTests
{
    private static readonly DnsName Owner = DnsName.Parse("example.org");

    [Fact]
    public void Addresses_in_preferred_subnets_go_first_in_subnet_order()
    {
        var wire = Response("example.org", RecordType.A,
            new DnsRecord(DnsName.Parse("www.example.org"), 300, new CNameData(Owner)),
            A("10.9.30.1"), A("10.9.20.5"), A("192.168.1.2"), A("10.10.0.1"), A("10.9.20.3"), A("172.16.0.1")).ToArray();

        Assert.Equal(1, AddressOrdering.ApplyPrefer(wire, Subnets("2001:db8::/32", "10.9.20.0/24", "10.9.30.0/24")));

        var answers = Parse(wire).Answers;
        Assert.Equal(RecordType.CNAME, answers[0].Type);
        Assert.Equal(["10.9.20.5", "10.9.20.3", "10.9.30.1", "192.168.1.2", "10.10.0.1", "172.16.0.1"],
            answers.Skip(1).Select(r => r.Data.ToString()));
    }

    [Fact]
    public void Aaaa_sets_follow_the_ipv6_subnets()
    {
        var wire = Response("example.org", RecordType.AAAA,
            A6("fd00::1"), A6("2001:db8:abcd::1"), A6("2001:db8::1")).ToArray();

        Assert.Equal(1, AddressOrdering.ApplyPrefer(wire, Subnets("2001:db8::/32", "10.9.20.0/24")));

        Assert.Equal(["2001:db8:abcd::1", "2001:db8::1", "fd00::1"], Parse(wire).Answers.Select(r => r.Data.ToString()));
    }

    [Theory]
    [InlineData("10.0.0.0/8", new byte[] { 10, 1, 2, 3 }, true)]
    [InlineData("10.9.20.7/24", new byte[] { 10, 9, 20, 200 }, true)]
    [InlineData("10.9.20.0/23", new byte[] { 10, 9, 21, 1 }, true)]
    [InlineData("10.9.20.0/24", new byte[] { 10, 9, 21, 1 }, false)]
    [InlineData("0.0.0.0/0", new byte[] { 203, 0, 113, 9 }, true)]
    [InlineData("2001:db8::/32", new byte[] { 10, 1, 2, 3 }, false)]
    public void Subnet_matching(string cidr, byte[] rdata, bool contained)
    {
        Assert.True(Subnet.TryParse(cidr, out var subnet));
        Assert.Equal(contained, subnet.Contains(rdata));
    }

    [Theory]
    [InlineData("invalid")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/-1")]
    public void Bad_cidrs_do_not_parse(string cidr) => Assert.False(Subnet.TryParse(cidr, out _));

    [Fact]
    public async Task The_real_server_puts_the_preferred_address_first_after_rotating()
    {
        const string corefile = "example.org:0 {\n    loadbalance round_robin {\n        prefer 192.0.2.3/32\n    }\n    file example.org.zone\n}\n";
        await using var harness = await OperabilityHarness.StartAsync(corefile);

        var seconds = new HashSet<string>();
        for (int i = 0; i < 3; i++)
        {
            var answers = (await harness.QueryAsync("www.example.org", RecordType.A)).Answers;
            Assert.Equal("192.0.2.3", answers[0].Data.ToString());
            seconds.Add(answers[1].Data.ToString());
        }
        // The rest still rotate.
        Assert.Equal(2, seconds.Count);
    }

    [Fact]
    public async Task The_real_server_starts_with_a_weight_file_and_answers_every_address()
    {
        string directory = OperabilityHarness.CreateDirectory(
            "example.org:0 {\n    loadbalance weighted weights {\n        reload 0s\n    }\n    file example.org.zone\n}\n");
        File.WriteAllText(Path.Combine(directory, "weights"), "www.example.org\n192.0.2.1 3\n192.0.2.2 1\n");
        await using var harness = await OperabilityHarness.StartInAsync(directory);

        var answers = (await harness.QueryAsync("www.example.org", RecordType.A)).Answers;
        Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.3"], answers.Select(r => r.Data.ToString()).Order());
    }

    private static Subnet[] Subnets(params string[] cidrs) => [.. cidrs.Select(c => Subnet.TryParse(c, out var s) ? s : throw new ArgumentException(c))];

    private static DnsRecord A(string address) => WeightedTests.AddressRecord(Owner, address);

    private static DnsRecord A6(string address) => WeightedTests.AddressRecord(Owner, address);
}
