using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.LoadBalance;
using Microsoft.Extensions.Logging.Abstractions;
using static ClusterDns.Server.Tests.Plugins.LoadBalance.AnswerRotatorTests;

namespace ClusterDns.Server.Tests.Plugins.LoadBalance;

/// <summary>CoreDNS's loadbalance weighted_test cases, restated with a scripted random source at the ordering seam.</summary>
public sealed class WeightedTests
{
    private const string OneDomain = "endpoint.region2.skydns.test\n10.240.0.2 3\n10.240.0.1 2\n";

    private const string TwoDomains = """
        # domain 1
        w1.example.org
        192.168.1.15   10
        192.168.1.14   20

        # domain 2
        w2.example.org
         # domain 3
         w3.example.org
         192.168.2.16 11
         192.168.2.15 12
         192.168.2.14 13
        """;

    [Fact]
    public void Weight_file_with_comments_blank_lines_and_an_empty_domain_parses()
    {
        Assert.True(WeightTable.TryParse(TwoDomains, out var table, out _, out _));
        Assert.Equal(3, table.NameCount);
        Assert.Equal(20, table.WeightOf(Lower("w1.example.org"), [192, 168, 1, 14]));
        Assert.Equal(13, table.WeightOf(Lower("w3.example.org"), [192, 168, 2, 14]));
        Assert.Equal(1, table.WeightOf(Lower("w2.example.org"), [192, 168, 2, 14]));
        Assert.Equal(1, table.WeightOf(Lower("other.example.org"), [192, 168, 1, 14]));
        Assert.True(WeightTable.TryParse("", out var empty, out _, out _));
        Assert.Equal(0, empty.NameCount);
    }

    [Theory]
    [InlineData("w1.example.org\n192.168.1.14\n192.168.1.15 20\n", 2, "wrong domain name '192.168.1.14' (maybe a missing weight value?)")]
    [InlineData("# missing domain\n192.168.1.14 10\nw2.example.org\n", 2, "missing domain name")]
    [InlineData("w1.example.org\n192.168.1.300 10\n", 2, "wrong IP address '192.168.1.300'")]
    [InlineData("w1.example.org\n192.168.1.14 300\n", 2, "wrong weight value '300'")]
    [InlineData("w1.example.org\n192.168.1.14 0\n", 2, "wrong weight value '0'")]
    [InlineData("w1.example.org\n192.168.1.14 1 2\n", 2, "could not parse weight line")]
    public void Bad_weight_files_name_the_line(string text, int line, string reason)
    {
        Assert.False(WeightTable.TryParse(text, out _, out int errorLine, out var error));
        Assert.Equal(line, errorLine);
        Assert.StartsWith(reason, error);
    }

    [Theory]
    [InlineData(0, "10.240.0.2")] // weight 3
    [InlineData(2, "10.240.0.2")]
    [InlineData(3, "10.240.0.1")] // weight 2
    [InlineData(4, "10.240.0.1")]
    [InlineData(5, "10.240.0.3")] // not listed: weight 1
    public void The_draw_over_the_weight_sum_picks_the_top_address(int draw, string top)
    {
        var owner = DnsName.Parse("endpoint.region2.skydns.test");
        var wire = Response("cname.region2.skydns.test", RecordType.A,
            new DnsRecord(DnsName.Parse("cname.region2.skydns.test"), 300, new CNameData(owner)),
            Address(owner, "10.240.0.1"), Address(owner, "10.240.0.2"), Address(owner, "10.240.0.3")).ToArray();
        Assert.True(WeightTable.TryParse(OneDomain, out var table, out _, out _));

        Assert.Equal(1, AddressOrdering.ApplyWeighted(wire, table, Scripted(6, draw)));

        var answers = Parse(wire).Answers;
        Assert.Equal(RecordType.CNAME, answers[0].Type);
        Assert.Equal(top, answers[1].Data.ToString());
        Assert.Equal(["10.240.0.1", "10.240.0.2", "10.240.0.3"], answers.Skip(1).Select(r => r.Data.ToString()).Order());
        Assert.All(answers.Skip(1), r => Assert.Equal(owner, r.Name));
    }

    [Theory]
    [InlineData(0, 0, "10.240.0.2", "::2")]
    [InlineData(4, 3, "10.240.0.2", "::2")]
    [InlineData(5, 4, "10.240.0.1", "::1")]
    [InlineData(6, 6, "10.240.0.1", "::1")]
    [InlineData(7, 0, "10.240.0.3", "::2")]
    public void Each_address_set_draws_over_its_own_weights(int drawV4, int drawV6, string topV4, string topV6)
    {
        var region2 = DnsName.Parse("endpoint.region2.skydns.test");
        var region1 = DnsName.Parse("endpoint.region1.skydns.test");
        var wire = Response("endpoint.region2.skydns.test", RecordType.SRV,
            Address(region2, "10.240.0.1"), Address(region2, "10.240.0.2"), Address(region2, "10.240.0.3"),
            Address(region1, "::1"), Address(region1, "::2")).ToArray();
        Assert.True(WeightTable.TryParse(
            "endpoint.region2.skydns.test\n10.240.0.2 5\n10.240.0.1 2\nendpoint.region1.skydns.test\n::2 4\n::1 3\n",
            out var table, out _, out _));
        var draws = new Queue<(int Limit, int Draw)>([(8, drawV4), (7, drawV6)]);

        Assert.Equal(2, AddressOrdering.ApplyWeighted(wire, table, limit =>
        {
            var (expectedLimit, draw) = draws.Dequeue();
            Assert.Equal(expectedLimit, limit);
            return draw;
        }));

        var answers = Parse(wire).Answers;
        Assert.Equal(topV4, answers[0].Data.ToString());
        Assert.Equal(topV6, answers[3].Data.ToString());
    }

    [Fact]
    public void An_answer_without_address_sets_is_unaltered()
    {
        var wire = Response("mx.region2.skydns.test", RecordType.MX,
            new DnsRecord(DnsName.Parse("cname.region2.skydns.test"), 300, new CNameData(DnsName.Parse("endpoint.region2.skydns.test")))).ToArray();
        var before = wire.ToArray();
        Assert.True(WeightTable.TryParse(OneDomain, out var table, out _, out _));

        Assert.Equal(0, AddressOrdering.ApplyWeighted(wire, table, _ => throw new InvalidOperationException("no draw expected")));
        Assert.Equal(before, wire);
    }

    [Theory]
    [InlineData("example.org", "example.org")]
    [InlineData("ExAmPlE.ORG", "EXAMPLE.org")]
    public void Weight_file_names_match_owners_case_insensitively(string configured, string owner)
    {
        var name = DnsName.Parse(owner);
        var wire = Response(owner, RecordType.A, Address(name, "192.0.2.1"), Address(name, "192.0.2.2")).ToArray();
        Assert.True(WeightTable.TryParse(configured + "\n192.0.2.1 1\n192.0.2.2 10\n", out var table, out _, out _));

        AddressOrdering.ApplyWeighted(wire, table, Scripted(11, 0));

        var first = Parse(wire).Answers[0];
        Assert.Equal("192.0.2.2", first.Data.ToString());
        Assert.Equal(owner + ".", first.Name.ToString());
    }

    [Fact]
    public void Reload_installs_new_weights_and_keeps_the_old_ones_when_the_file_turns_bad()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, OneDomain);
            var options = LoadBalanceOptions.RoundRobin with { WeightFile = path };
            var (table, hash) = LoadBalanceSetup.LoadWeights(TestToken(), path);
            var handler = new LoadBalanceHandler(options, table, null);
            var watcher = new WeightFileWatcher(handler, path, TimeSpan.FromSeconds(30), hash, NullLogger.Instance);
            var owner = Lower("endpoint.region2.skydns.test");

            Assert.False(watcher.ReloadIfChanged());
            File.WriteAllText(path, "endpoint.region2.skydns.test\n10.240.0.2 9\n");
            Assert.True(watcher.ReloadIfChanged());
            Assert.Equal(9, handler.Weights.WeightOf(owner, [10, 240, 0, 2]));

            File.WriteAllText(path, "endpoint.region2.skydns.test\n10.240.0.2 256\n");
            Assert.False(watcher.ReloadIfChanged());
            Assert.Equal(9, handler.Weights.WeightOf(owner, [10, 240, 0, 2]));

            File.Delete(path);
            Assert.False(watcher.ReloadIfChanged());
            Assert.Equal(9, handler.Weights.WeightOf(owner, [10, 240, 0, 2]));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static ClusterDns.Corefile.Token TestToken() => Forward.TestDns.Directive("loadbalance weighted w").Args[1];

    private static Func<int, int> Scripted(int expectedLimit, int draw) => limit =>
    {
        Assert.Equal(expectedLimit, limit);
        return draw;
    };

    private static DnsRecord Address(DnsName owner, string address)
    {
        var ip = IPAddress.Parse(address);
        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? new DnsRecord(owner, 300, new AData(ip))
            : new DnsRecord(owner, 300, new AaaaData(ip));
    }

    internal static byte[] Lower(string name) => DnsName.Parse(name).ToLower().Wire.ToArray();

    internal static DnsRecord AddressRecord(DnsName owner, string address) => Address(owner, address);
}
