using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Transfer;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Transfer;

/// <summary>
/// <c>transfer [ZONES...] { to ADDRESS... }</c>: CoreDNS's plugin/transfer setup_test.go cases restated, and the
/// start-up errors (file:line and reason) for what it refuses.
/// </summary>
public sealed class TransferSetupTests
{
    public static TheoryData<string, string[], string[]> Valid => new()
    {
        // CoreDNS TestParse case 1 (first directive) and case 5 (zones from the server block).
        { "transfer example.net example.org {\n to 1.2.3.4 5.6.7.8:1053 [1::2]:34\n}", ["example.net.", "example.org."], ["1.2.3.4:53", "5.6.7.8:1053", "[1::2]:34"] },
        { "transfer example.com example.edu {\n to * 1.2.3.4\n}", ["example.com.", "example.edu."], ["*", "1.2.3.4:53"] },
        { "transfer {\n to 1.2.3.4 5.6.7.8:1053 [1::2]:34\n}", ["."], ["1.2.3.4:53", "5.6.7.8:1053", "[1::2]:34"] },
        // Beyond CoreDNS's table: networks (its README names them), bare IPv6, [IPv6] without a port, 'to' twice.
        { "transfer {\n to 10.0.0.0/8 fd00::/8\n}", ["."], ["10.0.0.0/8", "fd00::/8"] },
        { "transfer {\n to ::1 [::2]\n to 192.0.2.1:5353\n}", ["."], ["[::1]:53", "[::2]:53", "192.0.2.1:5353"] },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_directives_parse_to_their_zones_and_peers(string directive, string[] zones, string[] to)
    {
        var rule = Parse(directive);

        Assert.Equal(zones, rule.Zones.Select(z => z.ToString()));
        Assert.Equal(to, rule.To.Select(p => p.ToString()));
    }

    [Theory]
    // CoreDNS TestParse's errors: no 'to', an unknown property, a 'to' that is not an address.
    [InlineData("transfer example.net example.org {\n}", 2, "needs 'to'")]
    [InlineData("transfer example.net example.org {\n invalid option\n}", 3, "unknown property 'invalid'")]
    [InlineData("transfer example.com example.edu {\n to example.com 1.2.3.4\n}", 3, "'example.com' is not an address")]
    // CoreDNS TestSetup: a bare 'transfer' is an error.
    [InlineData("transfer", 2, "needs 'to'")]
    [InlineData("transfer {\n to\n}", 3, "needs at least one address")]
    [InlineData("transfer {\n to 10.1.2.3/8\n}", 3, "is not a network")]
    [InlineData("transfer {\n to 1.2.3.4:0\n}", 3, "port 0")]
    [InlineData("transfer {\n to 1.2.3.4:99999\n}", 3, "is not an address")]
    [InlineData("transfer {\n to 1.2.3.4 {\n }\n}", 3, "takes no block")]
    public void Bad_directives_are_errors_at_their_line(string directive, int line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse(directive));

        Assert.StartsWith($"Corefile:{line}:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Two_directives_in_one_block_share_one_handler_that_picks_the_longest_zone()
    {
        var block = CorefileParser.Parse("example.org:53 {\ntransfer example.org {\n to 192.0.2.1\n}\ntransfer sub.example.org {\n to *\n}\n}\n", "Corefile").ServerBlocks[0];
        var builder = new ServerBlockBuilder(block, [DnsName.Parse("example.org.")], 53, new ServerBuildContext("Corefile"));
        foreach (var directive in block.Directives)
        {
            new TransferSetup().Setup(directive, builder);
        }

        var handler = Assert.IsType<TransferHandler>(Assert.Single(builder.Handlers));
        Assert.Equal(2, handler.Rules.Count);
    }

    [Fact]
    public void The_old_transfer_option_inside_kubernetes_is_refused_as_CoreDNS_does()
    {
        var block = CorefileParser.Parse("cluster.local:53 {\nkubernetes cluster.local {\n transfer to *\n}\n}\n", "Corefile").ServerBlocks[0];
        var builder = new ServerBlockBuilder(block, [DnsName.Parse("cluster.local.")], 53, new ServerBuildContext("Corefile"));

        var error = Assert.Throws<CorefileException>(() => KubernetesSetup.ParseOptions(block.Directives[0], builder));

        Assert.StartsWith("Corefile:3:", error.Message);
        Assert.Contains("transfer directive", error.Message);
    }

    [Fact]
    public void A_whole_Corefile_with_a_bad_to_fails_to_load_with_file_and_line()
    {
        var directory = Directory.CreateTempSubdirectory("clusterdns-transfer-").FullName;
        try
        {
            var path = Path.Combine(directory, "Corefile");
            File.WriteAllText(path, "example.org:0 {\n    whoami\n    transfer {\n        to not-an-address\n    }\n}\n");

            var error = Assert.Throws<CorefileException>(() => new CorefileLoader(NullLoggerFactory.Instance).Load(path));

            Assert.Contains("Corefile:4:", error.Message);
            Assert.Contains("'not-an-address' is not an address", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static TransferRule Parse(string directive)
    {
        var block = CorefileParser.Parse($".:53 {{\n{directive}\n}}\n", "Corefile").ServerBlocks[0];
        return TransferSetup.Parse(block.Directives[0], [DnsName.Root]);
    }
}
