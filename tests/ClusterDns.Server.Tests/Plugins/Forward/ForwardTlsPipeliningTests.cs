using System.Buffers.Binary;
using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;
using ClusterDns.Testing.Peers;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// DNS over TLS upstreams share one pipelined connection (RFC 7766 section 6.2.1.1, RFC 7858 section 3.3):
/// concurrent queries, one handshake, replies matched by ID in whatever order they come.
/// </summary>
public sealed class ForwardTlsPipeliningTests
{
    private static readonly string[] LocalData = ["www.test.example. 300 IN A 192.0.2.10"];

    private static ForwardHandler Handler(string text) =>
        new(ForwardSetup.Parse(TestDns.Directive(text), p => p), NullLogger.Instance);

    [Fact]
    public async Task Concurrent_queries_to_unbound_share_one_tls_connection()
    {
        await using var unbound = await UnboundServer.StartAsync(LocalData, "www.test.example", tls: true);
        await using var relay = new TcpRelay(new IPEndPoint(IPAddress.Loopback, unbound.TlsPort));
        var handler = Handler($"forward . tls://127.0.0.1%{UnboundServer.TlsServerName}:{relay.EndPoint.Port} {{\n tls {unbound.CertificatePath}\n}}");
        try
        {
            var replies = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
                TestDns.RunAsync(handler, TestDns.Query(i % 3 == 0 ? "nope.test.example." : "www.test.example.", id: (ushort)i))));

            for (int i = 0; i < replies.Length; i++)
            {
                Assert.Equal((ushort)i, replies[i].Header.Id);
                if (i % 3 == 0)
                {
                    Assert.Equal(ResponseCode.NXDomain, replies[i].Rcode);
                }
                else
                {
                    Assert.Equal(["192.0.2.10"], TestDns.Addresses(replies[i]));
                }
            }
            Assert.Equal(1, relay.Connections);
            Assert.Equal(1, handler.Upstreams[0].ConnectionOpens);
            Assert.Equal(23, handler.Upstreams[0].ConnectionReuses);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Replies_out_of_order_reach_their_own_queries()
    {
        using var certificate = TestServerCertificate.Create();
        // Reads two queries, answers the second first, each with an address naming its query.
        await using var upstream = new GarbageTlsUpstream(certificate, 2, queries =>
            [.. Framed(Answer(queries[1])), .. Framed(Answer(queries[0]))]);
        var handler = Handler($"forward . tls://127.0.0.1%{TestServerCertificate.ServerName}:{upstream.EndPoint.Port} {{\n tls {certificate.CertificatePath}\n}}");
        try
        {
            var first = TestDns.RunAsync(handler, TestDns.Query("one.example.org."));
            var second = TestDns.RunAsync(handler, TestDns.Query("two.example.org."));
            var replies = await Task.WhenAll(first, second);

            Assert.Equal(["192.0.2.1"], TestDns.Addresses(replies[0]));
            Assert.Equal(["192.0.2.2"], TestDns.Addresses(replies[1]));
            Assert.Equal(1, upstream.Connections);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task A_connection_that_answers_nothing_is_closed_and_the_next_query_opens_another()
    {
        using var certificate = TestServerCertificate.Create();
        // Reads queries and never answers: the handshake works, the pipeline stalls.
        await using var upstream = new GarbageTlsUpstream(certificate, int.MaxValue, _ => []);
        var handler = Handler($"forward . tls://127.0.0.1%{TestServerCertificate.ServerName}:{upstream.EndPoint.Port} {{\n tls {certificate.CertificatePath}\n read_timeout 300ms\n max_fails 0\n max_connect_attempts 1\n}}");
        try
        {
            var first = await TestDns.RunAsync(handler, TestDns.Query("one.example.org."));
            var second = await TestDns.RunAsync(handler, TestDns.Query("two.example.org."));

            Assert.Equal(ResponseCode.ServFail, first.Rcode);
            Assert.Equal(ResponseCode.ServFail, second.Rcode);
            // The silent connection was given up after its query timed out, not kept for the next one.
            Assert.Equal(2, upstream.Connections);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    /// <summary>An A answer whose address says which query it answers: 192.0.2.1 for "one", 192.0.2.2 otherwise.</summary>
    private static byte[] Answer(byte[] query)
    {
        var message = TestDns.Parse(query);
        string address = message.Questions[0].Name.ToString().StartsWith("one", StringComparison.Ordinal) ? "192.0.2.1" : "192.0.2.2";
        return TestDns.AnswerA(message, 60, address).ToArray();
    }

    private static byte[] Framed(byte[] message)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }
}
