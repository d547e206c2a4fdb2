using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Http;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Network;

namespace ClusterDns.Server.Tests.Plugins.Prometheus;

/// <summary>
/// The DNS families for DoT and DoH ports, under CoreDNS's names with the transport in <c>proto</c> and the scheme in
/// <c>server</c>, plus DoH statuses (<c>coredns_dns_https_responses_total</c>) and failed TLS handshakes.
/// </summary>
public sealed class EncryptedTransportMetricsTests : IDisposable
{
    private readonly TlsTestFiles _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task Dot_and_doh_queries_are_counted_by_transport_and_doh_statuses_and_failed_handshakes_by_server()
    {
        int dot = FreePorts.Loopback();
        int doh = FreePorts.Loopback();
        var directory = OperabilityHarness.CreateDirectory($$"""
            tls://example.org:{{dot}} {
                bind 127.0.0.1
                tls cert.pem key.pem
                prometheus 127.0.0.1:0
                file example.org.zone
            }
            https://example.org:{{doh}} {
                bind 127.0.0.1
                tls cert.pem key.pem
                prometheus 127.0.0.1:0
                file example.org.zone
            }
            """);
        _certificates.WriteTo(directory);
        await using var harness = await OperabilityHarness.StartInAsync(directory);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await using (var client = await DotClient.ConnectAsync(dot, _certificates.Authority.Certificate, cancellationToken: timeout.Token))
        {
            Assert.Equal(ResponseCode.NoError, (await client.QueryAsync("www.example.org", RecordType.A, timeout.Token)).Rcode);
        }
        await PlainDnsOnTheTlsPortAsync(dot, timeout.Token);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && _certificates.Authority.Issued(new X509Certificate2(certificate)) },
        })
        { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var uri = new Uri($"https://127.0.0.1:{doh}/dns-query");
        using (var ok = await http.PostAsync(uri, Message(DnsTestClient.BuildQuery("www.example.org", RecordType.A), "application/dns-message"), timeout.Token))
        using (var wrongType = await http.PostAsync(uri, Message(DnsTestClient.BuildQuery("www.example.org", RecordType.A), "text/plain"), timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        }

        using var scraper = new HttpClient();
        var scrape = await scraper.GetStringAsync(harness.HttpUri("/metrics"), timeout.Token);
        var lines = scrape.Split('\n');
        string[] expected =
        [
            $"coredns_dns_requests_total{{server=\"tls://:{dot}\",zone=\"example.org.\",view=\"\",proto=\"tls\",family=\"1\",type=\"A\"}} 1",
            $"coredns_dns_requests_total{{server=\"https://:{doh}\",zone=\"example.org.\",view=\"\",proto=\"https\",family=\"1\",type=\"A\"}} 1",
            $"coredns_dns_request_size_bytes_count{{server=\"https://:{doh}\",zone=\"example.org.\",view=\"\",proto=\"https\"}} 1",
            $"coredns_dns_response_size_bytes_count{{server=\"tls://:{dot}\",zone=\"example.org.\",view=\"\",proto=\"tls\"}} 1",
            $"coredns_dns_https_responses_total{{server=\"https://:{doh}\",status=\"200\"}} 1",
            $"coredns_dns_https_responses_total{{server=\"https://:{doh}\",status=\"415\"}} 1",
            $"coredns_dns_tls_handshake_failures_total{{server=\"tls://:{dot}\"}} 1",
        ];
        foreach (var line in expected)
        {
            Assert.True(lines.Contains(line), $"missing line: {line}\n--- scrape ---\n{string.Join('\n', lines.Where(l => l.Contains("tls://", StringComparison.Ordinal) || l.Contains("https://", StringComparison.Ordinal)))}");
        }
    }

    /// <summary>A plain TCP DNS query on the DoT port: not a ClientHello, so the handshake fails and the server closes.</summary>
    private static async Task PlainDnsOnTheTlsPortAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var query = DnsTestClient.BuildQuery("www.example.org", RecordType.A);
        await socket.SendAsync(new byte[] { 0, (byte)query.Length }.Concat(query).ToArray(), SocketFlags.None, cancellationToken);
        try
        {
            while (await socket.ReceiveAsync(new byte[512], SocketFlags.None, cancellationToken) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // Reset: closed as well.
        }
    }

    private static ByteArrayContent Message(byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }
}
