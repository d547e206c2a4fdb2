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
    /// <summary>An upstream that answers 192.0.2.7 with its own OPT, DO as given.</summary>
    private static FakeUpstream UpstreamWithOpt(bool dnssecOk) => new()
    {
        Respond = query =>
        {
            var answer = TestDns.AnswerA(query, 300, "192.0.2.7");
            answer.Edns = new EdnsRecord { UdpPayloadSize = 4096, DnssecOk = dnssecOk };
            return answer;
        },
    };

    private static async Task<DnsMessage> ForwardAsync(FakeUpstream upstream, byte[] query)
    {
        var handler = new ForwardHandler(new ForwardOptions
        {
            From = [DnsName.Root],
            Upstreams = [new UpstreamAddress(upstream.EndPoint, Tls: false)],
            ReadTimeout = TimeSpan.FromSeconds(2),
            Timeout = TimeSpan.FromSeconds(5),
        }, NullLogger.Instance);
        try
        {
            return await TestDns.RunAsync(handler, query);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task The_reply_carries_the_clients_do_bit_not_the_upstreams(bool clientDo, bool upstreamDo)
    {
        await using var upstream = UpstreamWithOpt(upstreamDo);

        var reply = await ForwardAsync(upstream, TestDns.Query("www.example.org.", edns: true, dnssecOk: clientDo));

        Assert.Equal(["192.0.2.7"], TestDns.Addresses(reply));
        Assert.NotNull(reply.Edns);
        Assert.Equal(clientDo, reply.Edns!.DnssecOk);
    }

    [Fact]
    public async Task A_client_without_edns_gets_no_opt_even_when_the_upstream_sends_one()
    {
        await using var upstream = UpstreamWithOpt(dnssecOk: true);

        var reply = await ForwardAsync(upstream, TestDns.Query("www.example.org."));

        Assert.Equal(["192.0.2.7"], TestDns.Addresses(reply));
        Assert.Null(reply.Edns);
    }
}
