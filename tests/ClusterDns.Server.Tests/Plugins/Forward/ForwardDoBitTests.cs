using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// RFC 3225 §3: the DO bit of the query is copied in the response, whatever the upstream's reply says
/// (docs/migration.md, "RFC departures from CoreDNS").
/// </summary>
public sealed class ForwardDoBitTests
{
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task The_reply_carries_the_clients_do_bit_not_the_upstreams(bool clientDo, bool upstreamDo)
    {
        await using var upstream = new FakeUpstream
        {
            Respond = query =>
            {
                var answer = TestDns.AnswerA(query, 300, "192.0.2.7");
                answer.Edns = new EdnsRecord { UdpPayloadSize = 1232, DnssecOk = upstreamDo };
                return answer;
            },
        };
        var handler = new ForwardHandler(new ForwardOptions
        {
            From = [DnsName.Root],
            Upstreams = [new UpstreamAddress(upstream.EndPoint, Tls: false)],
            ReadTimeout = TimeSpan.FromSeconds(2),
            Timeout = TimeSpan.FromSeconds(5),
        }, NullLogger.Instance);
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("www.example.org.", edns: true, dnssecOk: clientDo));

            Assert.Equal(["192.0.2.7"], TestDns.Addresses(reply));
            Assert.NotNull(reply.Edns);
            Assert.Equal(clientDo, reply.Edns!.DnssecOk);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task A_client_without_edns_gets_no_opt_even_when_the_upstream_sends_one()
    {
        await using var upstream = new FakeUpstream
        {
            Respond = query =>
            {
                var answer = TestDns.AnswerA(query, 300, "192.0.2.7");
                answer.Edns = new EdnsRecord { UdpPayloadSize = 4096, DnssecOk = true };
                return answer;
            },
        };
        var handler = new ForwardHandler(new ForwardOptions
        {
            From = [DnsName.Root],
            Upstreams = [new UpstreamAddress(upstream.EndPoint, Tls: false)],
            ReadTimeout = TimeSpan.FromSeconds(2),
            Timeout = TimeSpan.FromSeconds(5),
        }, NullLogger.Instance);
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("www.example.org."));

            Assert.Equal(["192.0.2.7"], TestDns.Addresses(reply));
            Assert.Null(reply.Edns);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }
}
