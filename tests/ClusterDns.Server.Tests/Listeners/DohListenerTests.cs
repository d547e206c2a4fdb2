using System.Buffers.Text;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Http;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Listeners;

/// <summary>
/// DNS over HTTPS (RFC 8484) against the real server in-process: HTTP/2 and HTTP/1.1 clients over TLS, GET and
/// POST, the cache header from the smallest TTL, the statuses for what is not a DNS query, and real clients
/// (dig +https, dig +https-get, kdig +https, curl).
/// </summary>
public sealed class DohListenerTests : IDisposable
{
    private const string Zone = """
        $ORIGIN example.org.
        $TTL 3600
        @    IN SOA ns1.example.org. hostmaster.example.org. 1 7200 1800 1209600 300
             IN NS  ns1
        ns1  IN A   192.0.2.53
        www  60 IN A 192.0.2.10
        """;

    private readonly TlsTestFiles _certificates = new();

    public void Dispose() => _certificates.Dispose();

    private Task<CorefileServer> StartAsync(string tls = "tls cert.pem key.pem", int plainPort = 0) =>
        CorefileServer.StartAsync($$"""
            https://example.org:{PORT} {
                bind 127.0.0.1
                {{tls}}
                file example.org.zone
            }
            example.org:{{(plainPort == 0 ? FreePorts.Loopback() : plainPort)}} {
                bind 127.0.0.1
                file example.org.zone
            }
            """, _certificates.Files(new Dictionary<string, string> { ["example.org.zone"] = Zone }));

    private HttpClient Client(Version version)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && _certificates.Authority.Issued(new X509Certificate2(certificate)),
            },
        };
        return new HttpClient(handler) { DefaultRequestVersion = version, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(10) };
    }

    private static Uri Uri(CorefileServer server, string pathAndQuery = "/dns-query") => new($"https://127.0.0.1:{server.Port}{pathAndQuery}");

    private static HttpContent Message(byte[] body, string mediaType = "application/dns-message")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task A_post_is_answered_with_the_message_and_a_max_age_of_the_smallest_ttl(int major)
    {
        await using var server = await StartAsync();
        using var client = Client(new Version(major, major == 1 ? 1 : 0));

        using var response = await client.PostAsync(Uri(server), Message(DnsTestClient.BuildQuery("www.example.org", RecordType.A)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(major, response.Version.Major);
        Assert.Equal("application/dns-message", response.Content.Headers.ContentType?.MediaType);
        // The A record has TTL 60, the NS in authority 3600: the smallest wins (RFC 8484 section 5.1).
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.CacheControl?.MaxAge);
        Assert.Equal(DnsError.None, DnsMessage.TryParse(await response.Content.ReadAsByteArrayAsync(), out var answer));
        Assert.EndsWith("192.0.2.10", Assert.Single(answer.Answers).ToString());
    }

    [Fact]
    public async Task A_get_carries_the_query_in_base64url_without_padding()
    {
        await using var server = await StartAsync();
        using var client = Client(HttpVersion.Version20);
        var query = DnsTestClient.BuildQuery("example.org", RecordType.NS);

        using var response = await client.GetAsync(Uri(server, "/dns-query?dns=" + Base64Url.EncodeToString(query)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DnsError.None, DnsMessage.TryParse(await response.Content.ReadAsByteArrayAsync(), out var answer));
        Assert.Equal(ResponseCode.NoError, answer.Rcode);
        Assert.Equal(RecordType.NS, Assert.Single(answer.Answers).Type);
        // NS and its glue are all 3600.
        Assert.Equal(TimeSpan.FromSeconds(3600), response.Headers.CacheControl?.MaxAge);
    }

    public static TheoryData<string, HttpStatusCode> Rejected => new()
    {
        { "wrong media type", HttpStatusCode.UnsupportedMediaType },
        { "no body", HttpStatusCode.BadRequest },
        { "64 KiB of garbage", HttpStatusCode.BadRequest },
        { "over 65535 bytes", HttpStatusCode.RequestEntityTooLarge },
        { "get without dns", HttpStatusCode.BadRequest },
        { "get with bad base64url", HttpStatusCode.BadRequest },
        { "get with a short message", HttpStatusCode.BadRequest },
        { "get with an over-long dns value", HttpStatusCode.RequestUriTooLong },
        { "another path", HttpStatusCode.NotFound },
        { "put", HttpStatusCode.MethodNotAllowed },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public async Task Requests_that_are_not_dns_queries_get_their_http_status_and_plain_dns_keeps_answering(string what, HttpStatusCode expected)
    {
        int plainPort = FreePorts.Loopback();
        await using var server = await StartAsync(plainPort: plainPort);
        // Over HTTP/2 an over-long request line is a stream reset (HPACK's header limit), over HTTP/1.1 a 414.
        using var client = Client(what.Contains("over-long", StringComparison.Ordinal) ? HttpVersion.Version11 : HttpVersion.Version20);
        var query = DnsTestClient.BuildQuery("www.example.org", RecordType.A);
        // All bits set: a "response" with every count at 65535, which no parser takes for a query.
        var garbage = Enumerable.Repeat((byte)0xFF, 65535).ToArray();

        using var response = what switch
        {
            "wrong media type" => await client.PostAsync(Uri(server), Message(query, "text/plain")),
            "no body" => await client.PostAsync(Uri(server), Message([])),
            "64 KiB of garbage" => await client.PostAsync(Uri(server), Message(garbage)),
            "over 65535 bytes" => await client.PostAsync(Uri(server), Message(new byte[70_000])),
            "get without dns" => await client.GetAsync(Uri(server, "/dns-query?ct=1")),
            "get with bad base64url" => await client.GetAsync(Uri(server, "/dns-query?dns=%2A%2A%2A%2A")),
            "get with a short message" => await client.GetAsync(Uri(server, "/dns-query?dns=AAAA")),
            "get with an over-long dns value" => await client.GetAsync(Uri(server, "/dns-query?dns=" + new string('A', 20_000))),
            "another path" => await client.PostAsync(Uri(server, "/resolve"), Message(query)),
            _ => await client.PutAsync(Uri(server), Message(query)),
        };

        Assert.Equal(expected, response.StatusCode);
        var plain = await DnsTestClient.QueryUdpAsync(new IPEndPoint(IPAddress.Loopback, plainPort), "www.example.org", RecordType.A);
        Assert.Equal(ResponseCode.NoError, plain.Rcode);
        using var good = await client.PostAsync(Uri(server), Message(query));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Fact]
    public async Task Without_a_certificate_an_https_block_serves_plain_http_for_a_proxy_in_front()
    {
        await using var server = await StartAsync(tls: "");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.PostAsync(new Uri($"http://127.0.0.1:{server.Port}/dns-query"), Message(DnsTestClient.BuildQuery("www.example.org", RecordType.A)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("dig", "@127.0.0.1 -p {0} +https +short +time=3 +tries=1 www.example.org A")]
    [InlineData("dig", "@127.0.0.1 -p {0} +https-get +short +time=3 +tries=1 www.example.org A")]
    [InlineData("kdig", "@127.0.0.1 -p {0} +https +short www.example.org A")]
    public async Task Real_doh_clients_get_the_answer(string program, string arguments)
    {
        await using var server = await StartAsync();

        var result = await ProcessRunner.RunAsync(program, string.Format(System.Globalization.CultureInfo.InvariantCulture, arguments, server.Port));

        Assert.Equal("192.0.2.10", result.Output.Trim());
    }

    [Fact]
    public async Task Curl_posting_a_dns_message_over_http2_gets_the_answer()
    {
        await using var server = await StartAsync();
        var query = Path.Combine(server.Directory, "query.bin");
        var answer = Path.Combine(server.Directory, "answer.bin");
        await File.WriteAllBytesAsync(query, DnsTestClient.BuildQuery("www.example.org", RecordType.A));

        var result = await ProcessRunner.RunAsync("curl", [
            "-sS", "--http2", "--cacert", Path.Combine(server.Directory, "ca.pem"), "-H", "content-type: application/dns-message",
            "--data-binary", "@" + query, "-o", answer, "-w", "%{http_code} %{http_version}", $"https://127.0.0.1:{server.Port}/dns-query"]);

        Assert.Equal("200 2", result.Output.Trim());
        Assert.Equal(DnsError.None, DnsMessage.TryParse(await File.ReadAllBytesAsync(answer), out var message));
        Assert.EndsWith("192.0.2.10", Assert.Single(message.Answers).ToString());
    }
}
