using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Server.Plugins.Prometheus;

namespace ClusterDns.Server.Tests.Plugins.Prometheus;

public sealed class PrometheusSetupTests
{
    [Theory]
    [InlineData("prometheus", "[::]:9153")]
    [InlineData("prometheus :9253", "[::]:9253")]
    [InlineData("prometheus 127.0.0.1:9153", "127.0.0.1:9153")]
    [InlineData("prometheus 10.0.0.1", "10.0.0.1:9153")]
    public void Address_defaults_to_9153_on_every_address(string line, string expected)
    {
        Assert.Equal(IPEndPoint.Parse(expected), PrometheusSetup.Parse(Directive(line)).Address);
    }

    [Theory]
    [InlineData("prometheus a b", "expects at most 1 argument")]
    [InlineData("prometheus host.example:9153", "")]
    [InlineData("prometheus :99999", "invalid port")]
    public void Bad_arguments_are_errors_with_file_and_line(string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => PrometheusSetup.Parse(Directive(line)));
        Assert.StartsWith("Corefile:2:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("prometheus {\n runtime_metrics\n}", "[::]:9153")]
    [InlineData("prometheus :9253 {\n runtime_metrics\n}", "[::]:9253")]
    public void Runtime_metrics_is_accepted(string line, string expected)
    {
        Assert.Equal(IPEndPoint.Parse(expected), PrometheusSetup.Parse(Directive(line)).Address);
    }

    [Theory]
    [InlineData("prometheus {\n foo\n}", "unknown property 'foo'")]
    [InlineData("prometheus {\n runtime_metrics yes\n}", "expects no arguments")]
    public void Bad_block_lines_are_errors_at_their_line(string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => PrometheusSetup.Parse(Directive(line)));
        Assert.StartsWith("Corefile:3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    internal static Directive Directive(string line) =>
        CorefileParser.Parse($".:53 {{\n{line}\n}}\n", "Corefile").ServerBlocks[0].Directives[0];
}
