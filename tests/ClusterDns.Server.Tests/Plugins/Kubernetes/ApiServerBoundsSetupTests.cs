using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins.Kubernetes;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>kubernetes apiserver_qps / apiserver_burst / apiserver_max_inflight (CoreDNS 1.14): accepted, checked, no other effect.</summary>
public sealed class ApiServerBoundsSetupTests
{
    [Theory]
    [InlineData("apiserver_qps 50")]
    [InlineData("apiserver_qps 12.5")]
    [InlineData("apiserver_qps 0")]
    [InlineData("apiserver_burst 100")]
    [InlineData("apiserver_max_inflight 10")]
    [InlineData("apiserver_max_inflight 0")]
    public void Valid_bounds_are_accepted_and_leave_the_options_alone(string line)
    {
        var plain = Parse("kubernetes cluster.local");
        var bounded = Parse($"kubernetes cluster.local {{\n{line}\n}}");

        Assert.Equal(plain.Zones, bounded.Zones);
        Assert.Empty(bounded.Namespaces);
        // Lists compare by reference in a record: take those from one side, every other field must match.
        Assert.Equal(plain, bounded with { Zones = plain.Zones, Namespaces = plain.Namespaces });
    }

    [Theory]
    [InlineData("apiserver_qps fast", "non-negative number")]
    [InlineData("apiserver_qps -5", "non-negative number")]
    [InlineData("apiserver_burst 1.5", "non-negative integer")]
    [InlineData("apiserver_burst -1", "non-negative integer")]
    [InlineData("apiserver_max_inflight many", "non-negative integer")]
    [InlineData("apiserver_max_inflight", "expects exactly 1 argument")]
    [InlineData("apiserver_qps 5 10", "expects exactly 1 argument")]
    public void Bad_bounds_are_errors_at_their_line(string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse($"kubernetes cluster.local {{\n{line}\n}}"));

        Assert.StartsWith("Corefile:3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    private static ClusterDns.Server.Plugins.Kubernetes.Options.KubernetesOptions Parse(string directive)
    {
        var block = CorefileParser.Parse($"cluster.local:53 {{\n{directive}\n}}\n", "Corefile").ServerBlocks[0];
        var builder = new ServerBlockBuilder(block, [DnsName.Parse("cluster.local.")], 53, new ServerBuildContext("Corefile"));
        return KubernetesSetup.ParseOptions(block.Directives[0], builder);
    }
}
