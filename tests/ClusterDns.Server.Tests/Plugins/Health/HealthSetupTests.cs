using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Server.Plugins.Health;
using ClusterDns.Server.Plugins.Ready;
using ClusterDns.Server.Tests.Plugins.Prometheus;

namespace ClusterDns.Server.Tests.Plugins.Health;

public sealed class HealthSetupTests
{
    [Theory]
    [InlineData("health", "[::]:8080", 0)]
    [InlineData("health :8091", "[::]:8091", 0)]
    [InlineData("health {\n lameduck 5s\n}", "[::]:8080", 5000)]
    [InlineData("health 127.0.0.1:8080 {\n lameduck 1m30s\n}", "127.0.0.1:8080", 90000)]
    public void Health_options(string line, string address, int lameduckMs)
    {
        var options = HealthSetup.Parse(PrometheusSetupTests.Directive(line));
        Assert.Equal(IPEndPoint.Parse(address), options.Address);
        Assert.Equal(TimeSpan.FromMilliseconds(lameduckMs), options.Lameduck);
    }

    [Theory]
    [InlineData("health {\n lameduck 30s\n rotation_grace 3s\n}", 3000)]
    [InlineData("health {\n rotation_grace 0s\n}", 0)]
    [InlineData("health {\n lameduck 30s\n}", -1)]
    public void Rotation_grace_is_ours_and_optional(string line, int graceMs)
    {
        var options = HealthSetup.Parse(PrometheusSetupTests.Directive(line));
        Assert.Equal(graceMs < 0 ? null : TimeSpan.FromMilliseconds(graceMs), options.RotationGrace);
    }

    [Theory]
    [InlineData("health a b", "at most 1 argument")]
    [InlineData("health {\n rotation_grace\n}", "exactly 1 argument")]
    [InlineData("health {\n rotation_grace soon\n}", "")]
    [InlineData("health {\n lameduck\n}", "exactly 1 argument")]
    [InlineData("health {\n lameduck 5\n}", "")]
    [InlineData("health {\n lameduck -1s\n}", "")]
    [InlineData("health {\n grace 5s\n}", "unknown property 'grace' in 'health'")]
    public void Bad_health_lines_are_errors_with_file_and_line(string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => HealthSetup.Parse(PrometheusSetupTests.Directive(line)));
        Assert.Matches(@"^Corefile:\d+: ", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("ready", "[::]:8181")]
    [InlineData("ready :8282", "[::]:8282")]
    [InlineData("ready 127.0.0.1", "127.0.0.1:8181")]
    public void Ready_options(string line, string address)
    {
        Assert.Equal(IPEndPoint.Parse(address), ReadySetup.Parse(PrometheusSetupTests.Directive(line)).Address);
    }

    [Theory]
    [InlineData("ready a b")]
    [InlineData("ready {\n x\n}")]
    [InlineData("ready localhost:8181")]
    public void Bad_ready_lines_are_errors(string line)
    {
        Assert.Throws<CorefileException>(() => ReadySetup.Parse(PrometheusSetupTests.Directive(line)));
    }
}
