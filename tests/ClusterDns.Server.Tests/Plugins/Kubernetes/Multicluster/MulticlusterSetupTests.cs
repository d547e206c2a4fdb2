using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Options;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes.Multicluster;

/// <summary><c>kubernetes … { multicluster ZONE... }</c>: the zones it takes, and every malformed form a start-up error at its line.</summary>
public sealed class MulticlusterSetupTests
{
    [Theory]
    [InlineData("multicluster clusterset.local", new[] { "clusterset.local." })]
    [InlineData("multicluster ClusterSet.Local.", new[] { "clusterset.local." })]
    [InlineData("multicluster clusterset.local other.local", new[] { "clusterset.local.", "other.local." })]
    [InlineData("multicluster clusterset.local clusterset.local", new[] { "clusterset.local." })]
    public void Zones_of_the_plugin_are_accepted(string line, string[] expected)
    {
        var options = Parse($"kubernetes cluster.local clusterset.local other.local in-addr.arpa {{\n{line}\n}}");

        Assert.Equal(expected.Select(DnsName.Parse), options.Multicluster);
        Assert.True(options.IsMulticlusterZone(DnsName.Parse("clusterset.local.")));
        Assert.False(options.IsMulticlusterZone(DnsName.Parse("cluster.local.")));
    }

    [Fact]
    public void Without_the_option_no_zone_is_multicluster()
    {
        Assert.Empty(Parse("kubernetes cluster.local clusterset.local").Multicluster);
    }

    [Theory]
    [InlineData("multicluster", "expects at least 1 argument")]
    [InlineData("multicluster elsewhere.local", "not one of the kubernetes zones")]
    [InlineData("multicluster svc.clusterset.local", "not one of the kubernetes zones")]
    [InlineData("multicluster in-addr.arpa", "reverse zone")]
    [InlineData("multicluster 10.0.0.0/8", "reverse zone")]
    [InlineData("multicluster clusterset.local {\nfallthrough\n}", "block")]
    [InlineData("multicluster bad..name", "")]
    public void Malformed_arguments_are_errors_at_their_line(string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse($"kubernetes cluster.local clusterset.local in-addr.arpa {{\n{line}\n}}"));

        Assert.StartsWith("Corefile:3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    private static KubernetesOptions Parse(string directive)
    {
        var zones = new[] { "cluster.local.", "clusterset.local.", "other.local.", "in-addr.arpa." }.Select(DnsName.Parse).ToArray();
        var block = CorefileParser.Parse($"cluster.local:53 clusterset.local:53 other.local:53 in-addr.arpa:53 {{\n{directive}\n}}\n", "Corefile").ServerBlocks[0];
        var builder = new ServerBlockBuilder(block, zones, 53, new ServerBuildContext("Corefile"));
        return KubernetesSetup.ParseOptions(block.Directives[0], builder);
    }
}
