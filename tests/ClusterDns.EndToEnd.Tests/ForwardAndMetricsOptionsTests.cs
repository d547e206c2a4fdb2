using System.Net;
using System.Text.RegularExpressions;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Peers;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The real executable with the forward, prometheus, reload and health options of CoreDNS 1.12–1.14: a host name
/// upstream (the system resolver's localhost) that is Knot DNS, bound to source 127.0.0.2 over TCP with max_age and
/// read_timeout; metrics scraped over HTTPS; the reload and health metrics present.
/// </summary>
public sealed class ForwardAndMetricsOptionsTests : IClassFixture<KnotDaemon>
{
    private readonly KnotDaemon _knot;

    public ForwardAndMetricsOptionsTests(KnotDaemon knot) => _knot = knot;

    [Fact]
    public async Task A_corefile_with_the_new_options_starts_forwards_and_serves_metrics_over_https()
    {
        using var ca = new TestCertificateAuthority();
        var certificate = ca.IssueServer();
        int metricsPort = FreePorts.Loopback();
        int healthPort = FreePorts.Loopback();
        await using var server = ServerProcess.Start($$"""
            example.org:{PORT} {
                bind 127.0.0.1
                reload
                health 127.0.0.1:{{healthPort}}
                prometheus 127.0.0.1:{{metricsPort}} {
                    runtime_metrics
                    tls server.crt server.key
                }
                forward . localhost:{{_knot.Port}} {
                    source_address 127.0.0.2
                    max_age 30s
                    read_timeout 3s
                    force_tcp
                    policy sequential
                }
            }
            """, prepare: directory =>
        {
            File.WriteAllText(Path.Combine(directory, "server.crt"), certificate.CertificatePem);
            File.WriteAllText(Path.Combine(directory, "server.key"), certificate.PrivateKeyPem);
        });

        var answer = await server.DigUntilAsync("www.example.org A", o => o.Contains("status: NOERROR", StringComparison.Ordinal));
        var direct = await DigClient.RunAsync(_knot.Port, "+tcp www.example.org A");
        Assert.NotEmpty(AnswerLines(direct));
        Assert.Equal(AnswerLines(direct), AnswerLines(answer));

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c is not null && ca.Issued(c) };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        string metrics = await client.GetStringAsync($"https://127.0.0.1:{metricsPort}/metrics");

        Assert.Matches(@"coredns_reload_version_info\{hash=""sha512"",value=""[0-9a-f]{128}""\} 1", metrics);
        Assert.Contains("coredns_health_request_failures_total 0", metrics);
        Assert.Contains($"coredns_proxy_conn_cache_misses_total{{proxy_name=\"forward\",to=\"127.0.0.1:{_knot.Port}\",proto=\"tcp\"}}", metrics);
        Assert.Contains("# TYPE dotnet_collection_count_total counter", metrics);
        Assert.Contains("# TYPE system_runtime_dotnet_gc_pause_time gauge", metrics);
    }

    private static string[] AnswerLines(string dig) =>
        Regex.Matches(dig, @"^www\.example\.org\.\s+\d+\s+IN\s+A\s+\S+$", RegexOptions.Multiline).Select(m => Regex.Replace(m.Value, @"\s+", " ")).Order(StringComparer.Ordinal).ToArray();
}
