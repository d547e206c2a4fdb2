using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Ready;
using ClusterDns.Server.Tests.Plugins.Prometheus;
using Microsoft.AspNetCore.Http;

namespace ClusterDns.Server.Tests.Plugins.Ready;

/// <summary>ready { monitor until-ready|continuously } (CoreDNS 1.13): parsing, and what /ready answers after a plugin stops being ready.</summary>
public sealed class ReadyMonitorTests
{
    [Theory]
    [InlineData("ready", true)]
    [InlineData("ready {\n monitor continuously\n}", true)]
    [InlineData("ready {\n monitor until-ready\n}", false)]
    [InlineData("ready :8282 {\n monitor until-ready\n}", false)]
    public void Monitor_modes(string line, bool continuously)
    {
        Assert.Equal(continuously, ReadySetup.Parse(PrometheusSetupTests.Directive(line)).MonitorContinuously);
    }

    [Theory]
    [InlineData("ready {\n monitor sometimes\n}", "until-ready or continuously")]
    [InlineData("ready {\n monitor\n}", "expects exactly 1 argument")]
    [InlineData("ready {\n monitor until-ready continuously\n}", "expects exactly 1 argument")]
    [InlineData("ready {\n watch until-ready\n}", "unknown property 'watch'")]
    public void Bad_monitor_lines_are_errors_at_their_line(string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => ReadySetup.Parse(PrometheusSetupTests.Directive(line)));
        Assert.StartsWith("Corefile:3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData(false, 200)]
    [InlineData(true, 503)]
    public async Task A_plugin_that_stops_being_ready_fails_ready_only_when_monitored_continuously(bool continuously, int afterwards)
    {
        var reporter = new Reporter();
        var shutdown = new ShutdownState();
        var endpoint = new ReadyEndpoint([reporter], shutdown, continuously);

        Assert.Equal(503, await StatusAsync(endpoint));
        reporter.IsReady = true;
        Assert.Equal(200, await StatusAsync(endpoint));
        reporter.IsReady = false;
        Assert.Equal(afterwards, await StatusAsync(endpoint));
        shutdown.Begin();
        Assert.Equal(503, await StatusAsync(endpoint));
    }

    [Fact]
    public async Task The_body_names_each_unready_plugin_with_its_reason_when_it_gives_one()
    {
        var stale = new Reporter { Reason = "EndpointSlice watch down for 45s" };
        var endpoint = new ReadyEndpoint([stale, new Reporter { Name = "other" }], new ShutdownState());

        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await endpoint.ServeAsync(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("kubernetes: EndpointSlice watch down for 45s\nother\n", System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }

    private static async Task<int> StatusAsync(ReadyEndpoint endpoint)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await endpoint.ServeAsync(context);
        return context.Response.StatusCode;
    }

    private sealed class Reporter : IReadinessReporter
    {
        public string Name { get; init; } = "kubernetes";

        public bool IsReady { get; set; }

        public string? Reason { get; init; }

        string? IReadinessReporter.NotReadyReason => Reason;
    }
}
