using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Secondary;

/// <summary>
/// RFC 1035 §3.3.13's timers at a secondary, with a file zone primary whose SOA says refresh 1 s, retry 1 s, expire
/// 6 s (room for a busy machine between the primary's last answer and the first check without it): the zone keeps answering while the primary is away until expire, then SERVFAIL, expired in the metric and
/// not ready; the primary's return makes it answer (and ready) again.
/// </summary>
public sealed class SecondaryExpiryTests
{
    private const string Zone = """
        $ORIGIN example.org.
        @ 300 IN SOA ns.example.org. hostmaster.example.org. 2024010101 1 1 6 30
        @ 300 IN NS ns.example.org.
        ns 300 IN A 192.0.2.53
        www 300 IN A 192.0.2.80
        """;

    [Fact]
    public async Task The_zone_answers_until_its_SOA_expire_then_SERVFAIL_and_unready_and_again_when_a_primary_answers()
    {
        int primaryPort = FreePorts.Loopback();
        await using var node = await CorefileServer.StartAsync($$"""
            example.org:{PORT} {
                bind 127.0.0.1
                secondary {
                    transfer from 127.0.0.1:{{primaryPort}}
                }
            }
            """);
        var primary = await StartPrimaryAsync(primaryPort, node.Port);
        try
        {
            await UntilAsync(async () => await DigClient.ShortAsync(node.Port, "www.example.org A") is ["192.0.2.80"]);
            Assert.Empty(node.Server.NotReady);
        }
        finally
        {
            await primary.DisposeAsync();
        }

        // Without a primary: still the last version (checked at once, well within the 6 s), then SERVFAIL.
        Assert.Equal(["192.0.2.80"], await DigClient.ShortAsync(node.Port, "www.example.org A"));
        await UntilAsync(async () => await DigClient.StatusAsync(node.Port, "www.example.org A") == "SERVFAIL");
        Assert.Contains("""coredns_secondary_zone_expired{zone="example.org."} 1""", node.Pipeline.Context.Metrics.Scrape());
        Assert.Equal(["secondary"], node.Server.NotReady.ToArray());

        await using var back = await StartPrimaryAsync(primaryPort, node.Port);
        await UntilAsync(async () => await DigClient.StatusAsync(node.Port, "www.example.org A") == "NOERROR");
        Assert.Contains("""coredns_secondary_zone_expired{zone="example.org."} 0""", node.Pipeline.Context.Metrics.Scrape());
        Assert.Empty(node.Server.NotReady);
    }

    private static Task<CorefileServer> StartPrimaryAsync(int port, int nodePort) =>
        CorefileServer.StartAsync($$"""
            example.org:{{port}} {
                bind 127.0.0.1
                file db.example.org
                transfer {
                    to 127.0.0.1:{{nodePort}}
                }
            }
            """, new Dictionary<string, string> { ["db.example.org"] = Zone });

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(50);
        }
    }
}
