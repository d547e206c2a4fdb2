using System.Net;
using System.Net.Sockets;
using ClusterDns.Server.Telemetry;
using Prometheus;
using ClusterDns.Server.Plugins.Health;
using ClusterDns.Server.Tests.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Health;

/// <summary>
/// CoreDNS's health self-check: coredns_health_request_duration_seconds is the time of the process's own GET
/// /health, once a second; coredns_health_request_failures_total counts those that got no HTTP reply.
/// </summary>
public sealed class HealthSelfCheckTests
{
    [Theory]
    [InlineData("[::]:8080", "http://[::1]:8080/health")]
    [InlineData("0.0.0.0:8080", "http://127.0.0.1:8080/health")]
    [InlineData("10.1.2.3:8091", "http://10.1.2.3:8091/health")]
    [InlineData("[fd00::5]:8080", "http://[fd00::5]:8080/health")]
    public void The_self_check_goes_to_loopback_for_an_unspecified_address(string bound, string url)
    {
        Assert.Equal(new Uri(url), HealthSelfCheck.UrlFor(IPEndPoint.Parse(bound)));
    }

    private static (HealthSelfCheck Check, Histogram.Child Duration, Counter.Child Failures) Create(Func<Uri?> target)
    {
        var registry = new MetricsRegistry();
        var duration = registry.Histogram("coredns_health_request_duration_seconds", "h", [0.00025, 0.0025, 0.025, 0.25, 2.5]).NoLabels();
        var failures = registry.Counter("coredns_health_request_failures_total", "h").NoLabels();
        return (new HealthSelfCheck(target, duration, failures, TimeSpan.FromHours(1), NullLogger.Instance), duration, failures);
    }

    [Fact]
    public async Task A_refused_self_check_is_a_failure_and_is_timed()
    {
        // A port that was just free: nothing listens, so the connection is refused at once.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        probe.Close();
        var (check, duration, failures) = Create(() => new Uri($"http://127.0.0.1:{port}/health"));

        await check.CheckOnceAsync(CancellationToken.None);

        Assert.Equal(1, failures.Value);
        Assert.Equal(1, duration.Count);
    }

    [Fact]
    public async Task No_endpoint_yet_observes_nothing()
    {
        var (check, duration, failures) = Create(() => null);

        await check.CheckOnceAsync(CancellationToken.None);

        Assert.Equal(0, failures.Value);
        Assert.Equal(0, duration.Count);
    }

    [Fact]
    public async Task The_running_server_checks_itself_every_second_without_failures()
    {
        await using var harness = await OperabilityHarness.StartAsync("""
            example.org:0 {
                health 127.0.0.1:0
                prometheus 127.0.0.1:0
                file example.org.zone
            }
            """);
        var registry = harness.Services.Registry;
        // The plugin created this histogram; creating it again returns the same series.
        var duration = registry.Histogram("coredns_health_request_duration_seconds", "h", [0.00025, 0.0025, 0.025, 0.25, 2.5]).NoLabels();

        // Polls the outcome (two ticks of the one-second timer), bounded; no fixed sleep.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (duration.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(duration.Count >= 2, $"{duration.Count} self-checks in 15 s");
        var text = registry.Scrape();
        Assert.Contains("coredns_health_request_failures_total 0\n", text);
        Assert.Contains("# TYPE coredns_health_request_duration_seconds histogram", text);
    }
}
