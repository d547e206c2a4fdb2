using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins.K8sExternal;

namespace ClusterDns.Server.Tests.Plugins.K8sExternal;

/// <summary>CoreDNS's plugin/k8s_external/setup_test.go restated, then the options and the errors (file:line, reason).</summary>
public sealed class K8sExternalSetupTests
{
    public static TheoryData<string, string[], string> Valid => new()
    {
        // Without zones, the server block's (CoreDNS: the block keys).
        { "k8s_external", ["example.org."], "dns" },
        { "k8s_external example.org", ["example.org."], "dns" },
        { "k8s_external example.org {\napex testdns\n}", ["example.org."], "testdns" },
        { "k8s_external 10.0.0.0/31", ["0.0.0.10.in-addr.arpa.", "1.0.0.10.in-addr.arpa."], "dns" },
        { "k8s_external Example.ORG example.net", ["example.org.", "example.net."], "dns" },
        { "k8s_external example.org {\napex TestDNS\n}", ["example.org."], "testdns" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Zones_and_apex_are_parsed_as_coredns_does(string directive, string[] zones, string apex)
    {
        var options = Parse(directive);

        Assert.Equal(zones, options.Zones.Select(z => z.ToString()).ToArray());
        Assert.Equal(apex, options.Apex);
    }

    [Fact]
    public void Defaults_are_coredns_defaults()
    {
        var options = Parse("k8s_external example.org");

        Assert.Equal((5u, false, "dns"), (options.Ttl, options.Headless, options.Apex));
        Assert.Null(options.Fallthrough);
    }

    [Fact]
    public void Every_option_is_read()
    {
        var options = Parse("k8s_external example.org example.net {\nttl 3600\nheadless\nfallthrough example.net\napex ns\n}");

        Assert.Equal((3600u, true, "ns"), (options.Ttl, options.Headless, options.Apex));
        Assert.Equal([DnsName.Parse("example.net.")], options.Fallthrough);
        Assert.True(options.FallsThrough(DnsName.Parse("a.example.net.").Wire));
        Assert.False(options.FallsThrough(DnsName.Parse("a.example.org.").Wire));
        Assert.Empty(Parse("k8s_external example.org {\nfallthrough\n}").Fallthrough!);
        Assert.Equal(0u, Parse("k8s_external example.org {\nttl 0\n}").Ttl);
    }

    [Theory]
    [InlineData("ttl", "expects exactly 1 argument")]
    [InlineData("ttl 3601", "3601")]
    [InlineData("ttl -1", "-1")]
    [InlineData("ttl five", "five")]
    [InlineData("ttl 5 6", "expects exactly 1 argument")]
    [InlineData("apex", "expects exactly 1 argument")]
    [InlineData("apex a.b", "one DNS label")]
    [InlineData("apex dns ns", "expects exactly 1 argument")]
    [InlineData("headless yes", "expects no arguments")]
    [InlineData("resync 30s", "resync")]
    [InlineData("transfer to *", "transfer")]
    public void Bad_options_are_errors_at_their_line(string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse($"k8s_external example.org {{\n{line}\n}}"));

        Assert.StartsWith("Corefile:3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_bad_zone_is_an_error_at_its_line()
    {
        var error = Assert.Throws<CorefileException>(() => Parse("k8s_external exa..mple.org"));

        Assert.StartsWith("Corefile:2:", error.Message);
    }

    [Fact]
    public void The_directive_is_known_and_runs_just_before_kubernetes()
    {
        Assert.Contains(ClusterDns.Server.Plugins.BuiltInPlugins.All, p => p.Name == "k8s_external");
        Assert.Equal(PluginOrder.RankOf("kubernetes") - 1, PluginOrder.RankOf("k8s_external"));
    }

    private static K8sExternalOptions Parse(string directive)
    {
        var block = CorefileParser.Parse($"example.org:53 {{\n{directive}\n}}\n", "Corefile").ServerBlocks[0];
        var builder = new ServerBlockBuilder(block, [DnsName.Parse("example.org.")], 53, new ServerBuildContext("Corefile"));
        return K8sExternalSetup.ParseOptions(block.Directives[0], builder);
    }
}
