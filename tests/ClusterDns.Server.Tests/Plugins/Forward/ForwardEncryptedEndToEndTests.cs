using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;
using ClusterDns.Testing.Peers;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// A ClusterDns (the real server, from a Corefile, asked with dig) forwarding to unbound over DNS over TLS and over
/// HTTPS, with the TLS connections counted on the wire, and to TLS upstreams that stall or reply garbage.
/// </summary>
public sealed class ForwardEncryptedEndToEndTests
{
    private static readonly string[] LocalData = ["www.test.example. 300 IN A 192.0.2.10"];

    [Fact]
    public async Task Forwards_to_unbound_over_dot_with_one_tls_handshake_for_many_queries()
    {
        await using var unbound = await UnboundServer.StartAsync(LocalData, "www.test.example", tls: true);
        await using var relay = new TcpRelay(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, unbound.TlsPort));
        await using var server = await CorefileServer.StartAsync($$"""
            .:{PORT} {
                forward . tls://127.0.0.1%{{UnboundServer.TlsServerName}}:{{relay.EndPoint.Port}} {
                    tls {{unbound.CertificatePath}}
                }
            }
            """);

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(["192.0.2.10"], await DigClient.ShortAsync(server.Port, i % 2 == 0 ? "www.test.example A" : "+tcp www.test.example A"));
        }
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(server.Port, "nope.test.example A"));
        // Six queries, one TCP connection to the upstream: one TLS handshake.
        Assert.Equal(1, relay.Connections);
    }

    [Fact]
    public async Task Forwards_to_unbound_over_doh()
    {
        await using var unbound = await UnboundServer.StartAsync(LocalData, "www.test.example", https: true);
        await using var relay = new TcpRelay(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, unbound.HttpsPort));
        foreach (var method in new[] { "POST", "GET" })
        {
            await using var server = await CorefileServer.StartAsync($$"""
                .:{PORT} {
                    forward . https://127.0.0.1:{{relay.EndPoint.Port}}/dns-query {
                        tls {{unbound.CertificatePath}}
                        tls_servername {{UnboundServer.TlsServerName}}
                        doh_method {{method}}
                    }
                }
                """);

            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(["192.0.2.10"], await DigClient.ShortAsync(server.Port, "www.test.example A"));
            }
            Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(server.Port, "nope.test.example A"));
        }
        // One HTTP/2 connection per server (POST, then GET) carried all their queries.
        Assert.Equal(2, relay.Connections);
    }

    [Fact]
    public async Task A_tls_upstream_stalled_in_the_handshake_fails_over_within_the_timeout()
    {
        await using var unbound = await UnboundServer.StartAsync(LocalData, "www.test.example", tls: true);
        await using var stalled = new TcpRelay(target: null);
        await using var server = await CorefileServer.StartAsync($$"""
            .:{PORT} {
                forward . tls://127.0.0.1:{{stalled.EndPoint.Port}} tls://127.0.0.1:{{unbound.TlsPort}} {
                    tls {{unbound.CertificatePath}}
                    tls_servername {{UnboundServer.TlsServerName}}
                    policy sequential
                    read_timeout 500ms
                }
            }
            """);

        // dig gives up after 4 s, before forward's 5 s budget: the stalled handshake must end at read_timeout
        // and the next upstream answer (4 s leaves a busy machine room for the second handshake).
        Assert.Equal(["192.0.2.10"], await DigClient.ShortAsync(server.Port, "+time=4 www.test.example A"));
        Assert.True(stalled.Connections >= 1);
    }

    /// <summary>Replies a TLS upstream makes of a query: each lies about the framing or the message.</summary>
    public static TheoryData<string> GarbageReplies => ["short-frame", "huge-length", "zero-length", "wrong-id", "not-a-response", "junk"];

    private static byte[] Garbage(string kind, byte[] query)
    {
        byte[] Frame(byte[] message)
        {
            var framed = new byte[message.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
            message.CopyTo(framed, 2);
            return framed;
        }
        var parsed = TestDns.Parse(query);
        var answer = TestDns.AnswerA(parsed, 300, "198.51.100.66");
        switch (kind)
        {
            case "short-frame":
                return [0, 40, 1, 2, 3];
            case "huge-length":
                return [0xFF, 0xFF, .. new byte[10]];
            case "zero-length":
                return [0, 0];
            case "wrong-id":
                answer.Header.Id ^= 1;
                return Frame(answer.ToArray());
            case "not-a-response":
                return Frame(query);
            default:
                return Frame([.. query.AsSpan(0, 2), 0x81, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC0, 0x0C]);
        }
    }

    [Theory]
    [MemberData(nameof(GarbageReplies))]
    public async Task A_tls_upstream_replying_garbage_fails_over_and_the_server_keeps_serving(string kind)
    {
        using var certificate = TestServerCertificate.Create();
        await using var unbound = await UnboundServer.StartAsync(LocalData, "www.test.example");
        await using var garbage = new GarbageTlsUpstream(certificate, query => Garbage(kind, query));
        await using var server = await CorefileServer.StartAsync($$"""
            .:{PORT} {
                forward . tls://127.0.0.1%{{TestServerCertificate.ServerName}}:{{garbage.EndPoint.Port}} 127.0.0.1:{{unbound.Port}} {
                    tls {{certificate.CertificatePath}}
                    policy sequential
                    read_timeout 500ms
                    max_fails 0
                }
            }
            """);

        Assert.Equal(["192.0.2.10"], await DigClient.ShortAsync(server.Port, "+time=4 www.test.example A"));
        Assert.Equal(["192.0.2.10"], await DigClient.ShortAsync(server.Port, "+time=4 +tcp www.test.example A"));
        Assert.True(garbage.Queries >= 2, $"the garbage upstream saw {garbage.Queries} queries");
    }
}
