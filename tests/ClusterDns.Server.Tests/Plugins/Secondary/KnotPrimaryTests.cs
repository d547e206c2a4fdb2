using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Peers;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Secondary;

/// <summary>
/// Our secondary against a real primary: Knot DNS serves a zone file, our node transfers it (AXFR), and after the file
/// changes (a record added, one deleted, one changed) Knot's NOTIFY makes us ask IXFR, which Knot answers from its
/// journal; we then answer exactly as Knot does.
/// </summary>
public sealed class KnotPrimaryTests
{
    private static string ZoneText(uint serial, params string[] records) => $"""
        $ORIGIN example.org.
        @ 300 IN SOA ns.example.org. hostmaster.example.org. {serial} 3600 600 86400 30
        @ 300 IN NS ns.example.org.
        ns 300 IN A 192.0.2.53
        {string.Join('\n', records)}
        """;

    [Fact]
    public async Task Our_secondary_transfers_from_Knot_and_follows_its_NOTIFY_with_IXFR()
    {
        int nodePort = FreePorts.Loopback();
        using var knot = new KnotPrimary("example.org", ZoneText(1, "www 300 IN A 192.0.2.80", "old 300 IN A 192.0.2.81", "mail 300 IN MX 10 www.example.org."), nodePort);
        await knot.WaitUntilServingAsync(TimeSpan.FromSeconds(20));
        await using var node = await CorefileServer.StartAsync($$"""
            example.org:{{nodePort}} {
                bind 127.0.0.1
                secondary {
                    transfer from 127.0.0.1:{{knot.Port}}
                }
            }
            """);
        await UntilAsync(async () => await DigClient.ShortAsync(nodePort, "www.example.org A") is ["192.0.2.80"]);

        await knot.ReplaceZoneAsync(ZoneText(2, "www 300 IN A 192.0.2.90", "new 300 IN AAAA 2001:db8::5", "mail 300 IN MX 10 www.example.org."));

        await UntilAsync(async () => await DigClient.ShortAsync(nodePort, "www.example.org A") is ["192.0.2.90"]);
        Assert.Matches("""coredns_secondary_transfers_total\{zone="example.org.",type="ixfr"\} [1-9]""", node.Pipeline.Context.Metrics.Scrape());
        Assert.Matches(@"IXFR, outgoing, remote [^\n]*(started|finished)", knot.LogText);
        foreach (var question in new[] { "www.example.org A", "new.example.org AAAA", "old.example.org A", "mail.example.org MX", "example.org SOA", "nothing.example.org TXT" })
        {
            Assert.Equal(await KnotStatusAsync(knot, question), await DigClient.StatusAsync(nodePort, question));
            Assert.Equal(await DigClient.ShortAsync(knot.Port, question), await DigClient.ShortAsync(nodePort, question));
        }
    }

    private static async Task<string> KnotStatusAsync(KnotPrimary knot, string question) => await DigClient.StatusAsync(knot.Port, question + " +norec");

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(100);
        }
    }
}
