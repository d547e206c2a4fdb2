using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>forward failover and next_on_nodata (CoreDNS 1.12–1.14): which reply a query ends with.</summary>
public sealed class ForwardReplyRoutingTests
{
    private static ForwardHandler Create(ForwardOptions options) => new(options, NullLogger.Instance);

    private static ForwardOptions Options(params FakeUpstream[] upstreams) => new()
    {
        From = [DnsName.Root],
        Upstreams = upstreams.Select(u => new UpstreamAddress(u.EndPoint, Tls: false)).ToArray(),
        ReadTimeout = TimeSpan.FromSeconds(2),
        Timeout = TimeSpan.FromSeconds(5),
    };

    [Theory]
    [InlineData(true, new[] { "198.51.100.7" })]
    [InlineData(false, new string[0])]
    public async Task Next_on_nodata_hands_an_empty_noerror_reply_to_the_next_handler(bool nextOnNoData, string[] expected)
    {
        await using var upstream = new FakeUpstream();
        upstream.Respond = q => TestDns.AnswerA(q, 300);
        var handler = Create(Options(upstream) with { NextOnNoData = nextOnNoData });
        handler.Next = new ForwardHandlerTests.FixedAnswerHandler();
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("empty.example.org."));
            Assert.Equal(ResponseCode.NoError, reply.Rcode);
            Assert.Equal(expected, TestDns.Addresses(reply));
            Assert.Equal(1, upstream.Queries);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Theory]
    [InlineData(true, ResponseCode.NoError)]
    [InlineData(false, ResponseCode.ServFail)]
    public async Task Failover_tries_the_next_upstream_after_a_listed_rcode(bool failover, ResponseCode expected)
    {
        // CoreDNS's case: sequential, SERVFAIL then REFUSED then a good upstream.
        await using var failing = new FakeUpstream { Respond = q => WithRcode(q, ResponseCode.ServFail) };
        await using var refusing = new FakeUpstream { Respond = q => WithRcode(q, ResponseCode.Refused) };
        await using var good = new FakeUpstream();
        var handler = Create(Options(failing, refusing, good) with
        {
            Policy = ForwardPolicy.Sequential,
            FailoverRcodes = failover ? [ResponseCode.ServFail, ResponseCode.Refused] : [],
        });
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("www.example.org."));
            Assert.Equal(expected, reply.Rcode);
            Assert.Equal(failover ? 1 : 0, good.Queries);
        }
        finally
        {
            await handler.StopAsync(default);
        }

        static DnsMessage WithRcode(DnsMessage query, ResponseCode rcode)
        {
            var reply = TestDns.AnswerA(query, 300);
            reply.Header.Rcode = (byte)rcode;
            return reply;
        }
    }

}
