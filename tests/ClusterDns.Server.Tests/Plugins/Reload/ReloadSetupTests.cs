using ClusterDns.Corefile;
using ClusterDns.Server.Plugins.Reload;
using ClusterDns.Server.Tests.Plugins.Prometheus;

namespace ClusterDns.Server.Tests.Plugins.Reload;

/// <summary>CoreDNS's reload setup cases (plugin/reload/setup_test.go).</summary>
public sealed class ReloadSetupTests
{
    [Theory]
    [InlineData("reload", 30, 15)]
    [InlineData("reload 10s", 10, 5)]
    [InlineData("reload 10s 2s", 10, 2)]
    [InlineData("reload 2s 0", 2, 0)]
    [InlineData("reload 2s 0s", 2, 0)]
    [InlineData("reload 10s 8s", 10, 5)]
    public void Interval_and_jitter(string line, int interval, int jitter)
    {
        var options = ReloadSetup.Parse(PrometheusSetupTests.Directive(line));
        Assert.Equal(TimeSpan.FromSeconds(interval), options.Interval);
        Assert.Equal(TimeSpan.FromSeconds(jitter), options.Jitter);
    }

    [Theory]
    [InlineData("reload foo")]
    [InlineData("reload 10s foo")]
    [InlineData("reload 10s 5s foo")]
    [InlineData("reload 1s")]
    [InlineData("reload 0s")]
    [InlineData("reload 3s 0.5s")]
    [InlineData("reload 3s -1s")]
    public void Bad_lines_are_errors_with_file_and_line(string line)
    {
        var error = Assert.Throws<CorefileException>(() => ReloadSetup.Parse(PrometheusSetupTests.Directive(line)));
        Assert.StartsWith("Corefile:2:", error.Message);
    }

    [Fact]
    public void Reload_twice_in_one_block_is_an_error()
    {
        var document = CorefileParser.Parse(".:53 {\nreload\nreload 10s\n}\n", "Corefile");
        var loader = new ClusterDns.Server.Config.PipelineBuilder(ClusterDns.Server.Plugins.BuiltInPlugins.CreateRegistry());

        var error = Assert.Throws<CorefileException>(() => loader.Build(document, new ClusterDns.Server.Config.ServerBuildContext("Corefile")));

        Assert.Equal("Corefile:3: 'reload' can only be used once per server block", error.Message);
    }
}
