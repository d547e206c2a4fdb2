using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Cache;
using ClusterDns.Server.Plugins.Forward;
using ClusterDns.Server.Tests.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Cache;

/// <summary>cache in front of forward, against a counting upstream.</summary>
public sealed class CacheForwardTests
{
    [Fact]
    public async Task Hits_do_not_reach_the_upstream_and_stale_answers_survive_it()
    {
        var clock = new ManualTimeProvider();
        var upstream = new FakeUpstream { Ttl = 60 };
        var forward = new ForwardHandler(new ForwardOptions
        {
            From = [DnsName.Root],
            Upstreams = [new UpstreamAddress(upstream.EndPoint, Tls: false)],
            ReadTimeout = TimeSpan.FromSeconds(2),
            Timeout = TimeSpan.FromSeconds(5),
        }, NullLogger.Instance);
        var cache = new CacheHandler(new CacheOptions { Zones = [DnsName.Root], ServeStale = TimeSpan.FromHours(1), ServeStaleVerify = true }, clock, NullLogger.Instance)
        {
            Next = forward,
        };
        try
        {
            for (int i = 0; i < 5; i++)
            {
                var reply = await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
                Assert.Equal(["192.0.2.1"], TestDns.Addresses(reply));
            }
            Assert.Equal(1, upstream.Queries);

            clock.Advance(TimeSpan.FromSeconds(20));
            Assert.Equal(40u, Assert.Single((await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))).Answers).Ttl);

            // The upstream goes away; the entry expires; the stale answer still comes, with TTL 30.
            await upstream.DisposeAsync();
            clock.Advance(TimeSpan.FromSeconds(60));
            var stale = await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
            Assert.Equal(ResponseCode.NoError, stale.Rcode);
            Assert.Equal(30u, Assert.Single(stale.Answers).Ttl);
            Assert.Equal(1, cache.StaleServed);

            // A name never seen has nothing stale to give.
            Assert.Equal(ResponseCode.ServFail, (await TestDns.RunAsync(cache, TestDns.Query("new.example.org."))).Rcode);
        }
        finally
        {
            await forward.StopAsync(default);
            await upstream.DisposeAsync();
        }
    }
}
