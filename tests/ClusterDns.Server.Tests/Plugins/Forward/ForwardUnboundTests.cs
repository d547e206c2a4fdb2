using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;
using ClusterDns.Testing.Peers;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>Forwarding to a real resolver (unbound) over UDP, TCP and DNS over TLS.</summary>
public sealed class ForwardUnboundTests
{
    private static readonly string[] LocalData =
    [
        "www.test.example. 300 IN A 192.0.2.10",
        "www.test.example. 300 IN AAAA 2001:db8::10",
    ];

    [Fact]
    public async Task Forwarded_name_is_answered_by_unbound_over_udp_and_tcp()
    {
        await using var unbound = await UnboundServer.StartAsync(LocalData, "www.test.example");
        var handler = new ForwardHandler(new ForwardOptions
        {
            From = [DnsName.Root],
            Upstreams = [new UpstreamAddress(new IPEndPoint(IPAddress.Loopback, unbound.Port), Tls: false)],
        }, NullLogger.Instance);
        try
        {
            var a = await TestDns.RunAsync(handler, TestDns.Query("www.test.example.", edns: true));
            Assert.Equal(["192.0.2.10"], TestDns.Addresses(a));
            Assert.NotNull(a.Edns);

            var aaaa = await TestDns.RunAsync(handler, TestDns.Query("www.test.example.", RecordType.AAAA), Pipeline.TransportKind.Tcp);
            Assert.Equal("2001:db8::10", Assert.Single(aaaa.Answers).Data.ToString());

            var missing = await TestDns.RunAsync(handler, TestDns.Query("nope.test.example."));
            Assert.Equal(ResponseCode.NXDomain, missing.Rcode);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Dns_over_tls_to_unbound_with_a_generated_certificate()
    {
        await using var unbound = await UnboundServer.StartAsync(LocalData, "www.test.example", tls: true);
        var corefileDir = unbound.Directory;
        var directive = TestDns.Directive($$"""
            forward . tls://127.0.0.1:{{unbound.TlsPort}} {
                tls {{unbound.CertificatePath}}
                tls_servername {{UnboundServer.TlsServerName}}
            }
            """);
        var options = ForwardSetup.Parse(directive, p => Path.Combine(corefileDir, p));
        var handler = new ForwardHandler(options, NullLogger.Instance);
        try
        {
            Assert.True(options.Upstreams[0].Tls);
            for (int i = 0; i < 3; i++)
            {
                var reply = await TestDns.RunAsync(handler, TestDns.Query("www.test.example."));
                Assert.Equal(["192.0.2.10"], TestDns.Addresses(reply));
            }
            // One TLS session carried all three queries.
            Assert.Equal(1, handler.Upstreams[0].ConnectionOpens);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Tls_upstream_with_an_untrusted_certificate_gives_servfail()
    {
        await using var unbound = await UnboundServer.StartAsync(LocalData, "www.test.example", tls: true);
        var handler = new ForwardHandler(new ForwardOptions
        {
            From = [DnsName.Root],
            Upstreams = [new UpstreamAddress(new IPEndPoint(IPAddress.Loopback, unbound.TlsPort), Tls: true)],
            Tls = new TlsClientOptions { ServerName = UnboundServer.TlsServerName },
            Timeout = TimeSpan.FromSeconds(2),
        }, NullLogger.Instance);
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("www.test.example."));
            Assert.Equal(ResponseCode.ServFail, reply.Rcode);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }
}
