using System.Net;
using System.Security.Cryptography.X509Certificates;
using ClusterDns.Corefile;
using ClusterDns.Server.Plugins.Prometheus;
using ClusterDns.Server.Tests.Http;
using ClusterDns.Testing.FakeApiServer;

namespace ClusterDns.Server.Tests.Plugins.Prometheus;

/// <summary>prometheus { tls CERT KEY [CA] } (CoreDNS 1.12.2+): /metrics over HTTPS, with client certificates when a CA is given.</summary>
public sealed class PrometheusTlsTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-metrics-tls-").FullName;

    public PrometheusTlsTests()
    {
        var server = _ca.IssueServer();
        File.WriteAllText(Path.Combine(_directory, "server.crt"), server.CertificatePem);
        File.WriteAllText(Path.Combine(_directory, "server.key"), server.PrivateKeyPem);
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), _ca.CertificatePem);
        File.WriteAllText(Path.Combine(_directory, "empty.crt"), "");
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private PrometheusOptions Parse(string text) =>
        PrometheusSetup.Parse(PrometheusSetupTests.Directive(text), p => Path.Combine(_directory, p));

    [Theory]
    [InlineData("prometheus :9153 {\n tls server.crt server.key\n}", false)]
    [InlineData("prometheus {\n runtime_metrics\n tls server.crt server.key ca.crt\n}", true)]
    public void Tls_loads_the_certificate_and_the_client_ca(string text, bool clientCa)
    {
        var tls = Parse(text).Tls;

        Assert.NotNull(tls);
        Assert.True(tls.Certificate.HasPrivateKey);
        Assert.Equal("CN=127.0.0.1", tls.Certificate.Subject);
        Assert.Equal(clientCa, tls.ClientAuthorities is not null);
    }

    [Fact]
    public void Without_tls_metrics_are_plain_http()
    {
        Assert.Null(Parse("prometheus :9153").Tls);
    }

    [Theory]
    [InlineData("prometheus {\n tls\n}", "expects 2 to 3 arguments")]
    [InlineData("prometheus {\n tls server.crt\n}", "expects 2 to 3 arguments")]
    [InlineData("prometheus {\n tls a b c d\n}", "expects 2 to 3 arguments")]
    [InlineData("prometheus {\n tls missing.crt server.key\n}", "cannot load the metrics TLS files")]
    [InlineData("prometheus {\n tls server.crt missing.key\n}", "cannot load the metrics TLS files")]
    [InlineData("prometheus {\n tls server.crt ca.crt\n}", "cannot load the metrics TLS files")]
    [InlineData("prometheus {\n tls server.crt server.key empty.crt\n}", "empty.crt")]
    [InlineData("prometheus {\n tls server.crt server.key missing.crt\n}", "cannot load the metrics TLS files")]
    public void Bad_tls_lines_are_errors_at_their_line(string text, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse(text));

        Assert.StartsWith("Corefile:3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    private static string Corefile(string tls) => $$"""
        example.org:0 {
            prometheus 127.0.0.1:0 {
                {{tls}}
            }
            file example.org.zone
        }
        """;

    private async Task<OperabilityHarness> StartAsync(string tls)
    {
        var directory = OperabilityHarness.CreateDirectory(Corefile(tls));
        foreach (var file in new[] { "server.crt", "server.key", "ca.crt" })
        {
            File.Copy(Path.Combine(_directory, file), Path.Combine(directory, file));
        }
        return await OperabilityHarness.StartInAsync(directory);
    }

    private HttpClient Client(X509Certificate2? clientCertificate = null)
    {
        var handler = new HttpClientHandler
        {
            // Trust exactly our test CA for the server certificate.
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && _ca.Issued(certificate),
        };
        if (clientCertificate is not null)
        {
            handler.ClientCertificateOptions = ClientCertificateOption.Manual;
            handler.ClientCertificates.Add(clientCertificate);
        }
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    private static Uri MetricsUri(OperabilityHarness harness, string scheme)
    {
        var bound = harness.Services.Http.GetBoundEndPoint(OperabilityHarness.HttpAddress)!;
        return new Uri($"{scheme}://127.0.0.1:{bound.Port}/metrics");
    }

    [Fact]
    public async Task Metrics_are_scraped_over_https_and_not_over_plain_http()
    {
        await using var harness = await StartAsync("tls server.crt server.key");
        using var client = Client();

        using var response = await client.GetAsync(MetricsUri(harness, "https"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("coredns_build_info{", await response.Content.ReadAsStringAsync());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync(MetricsUri(harness, "http")));
    }

    [Fact]
    public async Task With_a_ca_a_client_certificate_from_it_is_required()
    {
        await using var harness = await StartAsync("tls server.crt server.key ca.crt");
        var issued = _ca.IssueClient("prometheus");
        using var stranger = new TestCertificateAuthority("Other CA");
        var foreign = stranger.IssueClient("prometheus");

        using (var anonymous = Client())
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.GetAsync(MetricsUri(harness, "https")));
        }
        using (var wrong = Client(foreign.Certificate))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => wrong.GetAsync(MetricsUri(harness, "https")));
        }
        using var trusted = Client(issued.Certificate);
        using var response = await trusted.GetAsync(MetricsUri(harness, "https"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_reload_that_turns_tls_on_reopens_the_endpoint_with_https()
    {
        var directory = OperabilityHarness.CreateDirectory(Corefile("runtime_metrics"));
        foreach (var file in new[] { "server.crt", "server.key" })
        {
            File.Copy(Path.Combine(_directory, file), Path.Combine(directory, file));
        }
        await using var harness = await OperabilityHarness.StartInAsync(directory);
        using var plain = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync(MetricsUri(harness, "http"))).StatusCode);

        harness.WriteCorefile(Corefile("tls server.crt server.key"));
        Assert.Equal(ClusterDns.Server.Hosting.ReloadOutcome.Reloaded, await harness.Hosted.ReloadAsync(CancellationToken.None));

        using var client = Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(MetricsUri(harness, "https"))).StatusCode);
    }

    [Fact]
    public async Task One_address_cannot_be_both_https_and_plain_http()
    {
        var directory = OperabilityHarness.CreateDirectory("""
            example.org:0 {
                prometheus 127.0.0.1:0 {
                    tls server.crt server.key
                }
                file example.org.zone
            }
            example.net:0 {
                health 127.0.0.1:0
                file example.org.zone
            }
            """);
        foreach (var file in new[] { "server.crt", "server.key" })
        {
            File.Copy(Path.Combine(_directory, file), Path.Combine(directory, file));
        }

        var error = await Assert.ThrowsAsync<CorefileException>(() => OperabilityHarness.StartInAsync(directory));

        Assert.Contains("Corefile:8:", error.Message);
        Assert.Contains("HTTPS", error.Message);
    }
}
