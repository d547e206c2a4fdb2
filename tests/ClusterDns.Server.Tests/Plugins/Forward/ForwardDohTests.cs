using System.Diagnostics;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Forward;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>forward to DNS over HTTPS upstreams (RFC 8484): a Kestrel DoH server on loopback with a test certificate.</summary>
public sealed class ForwardDohTests
{
    private static ForwardHandler Handler(string text, TimeSpan? timeout = null)
    {
        var options = ForwardSetup.Parse(TestDns.Directive(text), p => p);
        return new ForwardHandler(options with { Timeout = timeout ?? options.Timeout }, NullLogger.Instance);
    }

    private static string Upstream(DohTestServer server) => $"https://127.0.0.1:{server.Port}/dns-query";

    private static string TlsLines(DohTestServer server) => $"tls {server.Certificate.CertificatePath}\n tls_servername {TestServerCertificate.ServerName}";

    [Fact]
    public async Task Post_queries_share_one_http2_connection_and_carry_id_zero()
    {
        using var certificate = TestServerCertificate.Create();
        await using var server = await DohTestServer.StartAsync(certificate);
        var handler = Handler($"forward . {Upstream(server)} {{\n {TlsLines(server)}\n}}");
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var reply = await TestDns.RunAsync(handler, TestDns.Query($"q{i}.example.org.", id: (ushort)(0x1000 + i)));
                Assert.Equal(["192.0.2.1"], TestDns.Addresses(reply));
                Assert.Equal((ushort)(0x1000 + i), reply.Header.Id);
            }
            // Concurrent queries are multiplexed as HTTP/2 streams on the same connection.
            var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => TestDns.RunAsync(handler, TestDns.Query($"p{i}.example.org."))));
            Assert.All(replies, r => Assert.Equal(["192.0.2.1"], TestDns.Addresses(r)));

            Assert.Equal(11, server.Requests.Count);
            Assert.All(server.Requests, r =>
            {
                Assert.Equal("POST", r.Method);
                Assert.Equal("HTTP/2", r.Protocol);
                Assert.Equal(0, r.Id);
            });
            Assert.Equal(1, server.Connections);
            Assert.Equal(1, handler.Upstreams[0].ConnectionOpens);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Get_sends_the_query_in_the_dns_parameter()
    {
        using var certificate = TestServerCertificate.Create();
        await using var server = await DohTestServer.StartAsync(certificate);
        var handler = Handler($"forward . {Upstream(server)} {{\n {TlsLines(server)}\n doh_method GET\n}}");
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("www.example.org.", RecordType.A, edns: true));

            Assert.Equal(["192.0.2.1"], TestDns.Addresses(reply));
            var request = Assert.Single(server.Requests);
            Assert.Equal("GET", request.Method);
            Assert.Equal("www.example.org.", request.Name);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task A_server_without_http2_is_asked_over_http11()
    {
        using var certificate = TestServerCertificate.Create();
        await using var server = await DohTestServer.StartAsync(certificate, HttpProtocols.Http1);
        var handler = Handler($"forward . {Upstream(server)} {{\n {TlsLines(server)}\n}}");
        try
        {
            var first = await TestDns.RunAsync(handler, TestDns.Query("a.example.org."));
            var second = await TestDns.RunAsync(handler, TestDns.Query("b.example.org."));

            Assert.Equal(["192.0.2.1"], TestDns.Addresses(first));
            Assert.Equal(["192.0.2.1"], TestDns.Addresses(second));
            Assert.All(server.Requests, r => Assert.Equal("HTTP/1.1", r.Protocol));
            // The kept-alive HTTP/1.1 connection carried both.
            Assert.Equal(1, server.Connections);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Theory]
    [InlineData(DohBehaviour.ServerError)]
    [InlineData(DohBehaviour.Html)]
    [InlineData(DohBehaviour.Garbage)]
    [InlineData(DohBehaviour.OtherQuestion)]
    [InlineData(DohBehaviour.Oversized)]
    [InlineData(DohBehaviour.Stall)]
    internal async Task A_bad_doh_reply_fails_over_to_the_next_upstream(DohBehaviour behaviour)
    {
        using var certificate = TestServerCertificate.Create();
        await using var bad = await DohTestServer.StartAsync(certificate);
        await using var good = await DohTestServer.StartAsync(certificate);
        var handler = Handler($"forward . {Upstream(bad)} {Upstream(good)} {{\n {TlsLines(good)}\n policy sequential\n read_timeout 2s\n}}");
        try
        {
            // A first answer from the first upstream opens its connection, so the read timeout below measures
            // the bad reply and not a TLS handshake on a busy machine.
            var warm = await TestDns.RunAsync(handler, TestDns.Query("warm.example.org."));
            Assert.Equal(["192.0.2.1"], TestDns.Addresses(warm));
            Assert.Single(bad.Requests);
            bad.Requests.Clear();
            bad.Behaviour = behaviour;

            var clock = Stopwatch.StartNew();
            var reply = await TestDns.RunAsync(handler, TestDns.Query("www.example.org."));

            Assert.Equal(["192.0.2.1"], TestDns.Addresses(reply));
            // The failure also starts a health check of the bad upstream (". NS"), which may land before
            // these lines or after: count the question itself.
            Assert.Single(bad.Requests, r => r.Name == "www.example.org.");
            Assert.Single(good.Requests, r => r.Name == "www.example.org.");
            // Within forward's 5 s query budget: the stalled try ended at read_timeout (2 s).
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Theory]
    [InlineData(DohBehaviour.ServerError)]
    [InlineData(DohBehaviour.Garbage)]
    internal async Task Only_bad_doh_upstreams_give_servfail(DohBehaviour behaviour)
    {
        using var certificate = TestServerCertificate.Create();
        await using var bad = await DohTestServer.StartAsync(certificate);
        bad.Behaviour = behaviour;
        var handler = Handler($"forward . {Upstream(bad)} {{\n {TlsLines(bad)}\n max_fails 0\n}}");
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("www.example.org."));

            Assert.Equal(ResponseCode.ServFail, reply.Rcode);
            Assert.Equal(2, bad.Requests.Count);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task An_untrusted_certificate_gives_servfail_without_a_request()
    {
        using var certificate = TestServerCertificate.Create();
        await using var server = await DohTestServer.StartAsync(certificate);
        // No `tls CA`: the system roots do not know the test certificate.
        var handler = Handler($"forward . {Upstream(server)} {{\n tls_servername {TestServerCertificate.ServerName}\n max_fails 0\n}}", TimeSpan.FromSeconds(2));
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("www.example.org."));

            Assert.Equal(ResponseCode.ServFail, reply.Rcode);
            Assert.Empty(server.Requests);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task A_wrong_server_name_gives_servfail()
    {
        using var certificate = TestServerCertificate.Create();
        await using var server = await DohTestServer.StartAsync(certificate);
        var handler = Handler($"forward . {Upstream(server)} {{\n tls {certificate.CertificatePath}\n tls_servername other.test\n max_fails 0\n}}", TimeSpan.FromSeconds(2));
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("www.example.org."));

            Assert.Equal(ResponseCode.ServFail, reply.Rcode);
            Assert.Empty(server.Requests);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Health_probes_go_over_https_and_bring_the_upstream_back()
    {
        using var certificate = TestServerCertificate.Create();
        await using var server = await DohTestServer.StartAsync(certificate);
        server.Behaviour = DohBehaviour.ServerError;
        var handler = Handler($"forward . {Upstream(server)} {{\n {TlsLines(server)}\n max_fails 1\n health_check 50ms\n}}", TimeSpan.FromSeconds(1));
        try
        {
            var failed = await TestDns.RunAsync(handler, TestDns.Query("www.example.org."));
            Assert.Equal(ResponseCode.ServFail, failed.Rcode);
            Assert.True(handler.Upstreams[0].IsDown);

            await WaitUntilAsync(() => server.Requests.Any(r => r.Name == "." && r.Type == RecordType.NS));
            server.Behaviour = DohBehaviour.Answer;
            await WaitUntilAsync(() => !handler.Upstreams[0].IsDown);

            var reply = await TestDns.RunAsync(handler, TestDns.Query("www.example.org."));
            Assert.Equal(["192.0.2.1"], TestDns.Addresses(reply));
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Metrics_count_https_connections_under_corednss_names()
    {
        using var certificate = TestServerCertificate.Create();
        await using var server = await DohTestServer.StartAsync(certificate);
        var context = new ClusterDns.Server.Config.ServerBuildContext("Corefile");
        var block = new ClusterDns.Server.Config.ServerBlockBuilder(CorefileParser.Parse(". {\n}\n", "Corefile").ServerBlocks[0], [DnsName.Root], 53, context);
        new ForwardSetup().Setup(TestDns.Directive($"forward . {Upstream(server)} {{\n {TlsLines(server)}\n}}"), block);
        var forward = Assert.IsType<ForwardHandler>(Assert.Single(block.Handlers));
        try
        {
            await TestDns.RunAsync(forward, TestDns.Query("a.example.org."));
            await TestDns.RunAsync(forward, TestDns.Query("b.example.org."));

            string to = $"127.0.0.1:{server.Port}";
            string scrape = context.Metrics.Scrape();
            Assert.Contains($"coredns_proxy_conn_cache_misses_total{{proxy_name=\"forward\",to=\"{to}\",proto=\"https\"}} 1", scrape);
            Assert.Contains($"coredns_forward_requests_total{{to=\"{to}\"}} 2", scrape);
            Assert.Contains($"coredns_proxy_request_duration_seconds_count{{proxy_name=\"forward\",to=\"{to}\",rcode=\"NOERROR\"}} 2", scrape);
        }
        finally
        {
            await forward.StopAsync(default);
        }
    }

    /// <summary>Polls a condition the forwarder's background probe makes true, for at most 10 s.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "condition not met within 10 s");
            await Task.Delay(20);
        }
    }
}
