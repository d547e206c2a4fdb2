using System.Text.RegularExpressions;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Peers;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The real executable forwarding to unbound over DNS over TLS (<c>tls://IP%SERVERNAME:PORT</c>) and DNS over
/// HTTPS (<c>https://…/dns-query</c>, GET), certificates verified against a CA file; per-upstream metrics under
/// CoreDNS's names with <c>proto="tcp-tls"</c> and <c>proto="https"</c>.
/// </summary>
public sealed class EncryptedForwardingTests
{
    [Fact]
    public async Task Forwards_to_unbound_over_dot_and_doh_and_counts_one_connection_each()
    {
        await using var unbound = await UnboundServer.StartAsync(
            ["www.test.example. 300 IN A 192.0.2.10", "mail.test.example. 300 IN A 192.0.2.25"], "www.test.example", tls: true, https: true);
        int metricsPort = FreePorts.Loopback();
        await using var server = ServerProcess.Start($$"""
            www.test.example:{PORT} {
                bind 127.0.0.1
                prometheus 127.0.0.1:{{metricsPort}}
                forward . tls://127.0.0.1%{{UnboundServer.TlsServerName}}:{{unbound.TlsPort}} {
                    tls {{unbound.CertificatePath}}
                }
            }
            mail.test.example:{PORT} {
                bind 127.0.0.1
                prometheus 127.0.0.1:{{metricsPort}}
                forward . https://127.0.0.1:{{unbound.HttpsPort}}/dns-query {
                    tls {{unbound.CertificatePath}}
                    tls_servername {{UnboundServer.TlsServerName}}
                    doh_method GET
                }
            }
            """);

        var dot = await server.DigUntilAsync("www.test.example A", o => o.Contains("status: NOERROR", StringComparison.Ordinal));
        Assert.Matches(@"www\.test\.example\.\s+\d+\s+IN\s+A\s+192\.0\.2\.10", dot);
        var doh = await server.DigUntilAsync("mail.test.example A", o => o.Contains("status: NOERROR", StringComparison.Ordinal));
        Assert.Matches(@"mail\.test\.example\.\s+\d+\s+IN\s+A\s+192\.0\.2\.25", doh);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(["192.0.2.10"], await DigClient.ShortAsync(server.Port, "+tcp www.test.example A"));
            Assert.Equal(["192.0.2.25"], await DigClient.ShortAsync(server.Port, "mail.test.example A"));
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string metrics = await client.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
        Assert.Matches(new Regex($@"coredns_proxy_conn_cache_misses_total\{{proxy_name=""forward"",to=""127\.0\.0\.1:{unbound.TlsPort}"",proto=""tcp-tls""\}} 1\n"), metrics);
        Assert.Matches(new Regex($@"coredns_proxy_conn_cache_misses_total\{{proxy_name=""forward"",to=""127\.0\.0\.1:{unbound.HttpsPort}"",proto=""https""\}} 1\n"), metrics);
        Assert.Matches(new Regex($@"coredns_forward_responses_total\{{to=""127\.0\.0\.1:{unbound.HttpsPort}"",rcode=""NOERROR""\}} [1-9]"), metrics);
    }
}
