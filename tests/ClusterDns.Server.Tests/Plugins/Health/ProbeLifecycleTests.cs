using System.Diagnostics;
using System.Net;
using System.Net.Http;
using ClusterDns.Protocol;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Tests.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Health;

/// <summary>
/// /health and /ready through a whole life, driven through the Generic Host as the executable runs it:
/// start (not synced) → sync → SIGTERM (StopApplication) → lameduck → stopped.
/// </summary>
public sealed class ProbeLifecycleTests
{
    private const string Corefile = """
        example.org:0 {
            health 127.0.0.1:0 {
                lameduck 1500ms
            }
            ready 127.0.0.1:0
            testsync
            file example.org.zone
        }
        """;

    [Fact]
    public async Task Probes_follow_start_sync_and_shutdown_while_queries_are_answered_through_lameduck()
    {
        var directory = OperabilityHarness.CreateDirectory(Corefile);
        var readiness = new ControlledReadiness();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(sp => new ProcessServices(NullLoggerFactory.Instance));
        builder.Services.AddSingleton(sp => new DnsServer(NullLoggerFactory.Instance, sp.GetRequiredService<ProcessServices>().Observer));
        builder.Services.AddSingleton(sp => new DnsHostedService(
            new DnsServerOptions(Path.Combine(directory, "Corefile"), null),
            sp.GetRequiredService<DnsServer>(),
            NullLoggerFactory.Instance,
            sp.GetRequiredService<ProcessServices>(),
            sp.GetRequiredService<IHostApplicationLifetime>(),
            readiness.Registry()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DnsHostedService>());
        using var host = builder.Build();
        var hosted = host.Services.GetRequiredService<DnsHostedService>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        await host.StartAsync();
        var bound = hosted.Services.Http.GetBoundEndPoint(OperabilityHarness.HttpAddress)!;
        var health = new Uri($"http://127.0.0.1:{bound.Port}/health");
        var ready = new Uri($"http://127.0.0.1:{bound.Port}/ready");
        var dns = new IPEndPoint(IPAddress.Loopback, hosted.Server.Listeners.First(l => l.Protocol == "udp").LocalEndPoint.Port);

        // Started, not synced: alive but not ready, and the body names who is not ready.
        Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(http, health));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "testsync\n"), await GetAsync(http, ready));

        readiness.MarkSynced();
        Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(http, ready));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(http, new Uri($"http://127.0.0.1:{bound.Port}/other"))).Status);

        // SIGTERM: the host's StopApplication, as ConsoleLifetime does on the signal.
        var clock = Stopwatch.StartNew();
        var stopping = host.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(http, health)).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(http, ready)).Status);
        int answered = 0;
        while (!stopping.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(1))
        {
            var response = await DnsTestClient.QueryUdpAsync(dns, "www.example.org", RecordType.A);
            Assert.Equal(ResponseCode.NoError, response.Rcode);
            answered++;
        }
        Assert.True(answered > 0, "no query was answered during lameduck");
        Assert.False(stopping.IsCompleted, "the host stopped before the lameduck ended");

        await stopping;
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(1400), $"stopped after {clock.Elapsed}, before the 1.5 s lameduck");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync(health));
        Directory.Delete(directory, recursive: true);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, Uri uri)
    {
        using var response = await http.GetAsync(uri);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
