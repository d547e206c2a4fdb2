using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Tests.Plugins.Forward;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Contract;

/// <summary>
/// The core contract: handlers run in CoreDNS's plugin.cfg order whatever order the Corefile lists them in.
/// Built from real Corefile text by the real loader and asked over a real UDP socket.
/// </summary>
public class PluginOrderContractTests
{
    // plugin.cfg, written out here rather than read from PluginOrder so that the test can disagree with it.
    public static TheoryData<string, string[]> Shuffled => new()
    {
        { "forward . {UPSTREAM}\ncache 30\nlog\nerrors", ["errors", "log", "cache", "forward"] },
        { "cache 30\nerrors\nforward . {UPSTREAM}\nlog", ["errors", "log", "cache", "forward"] },
        { "forward . {UPSTREAM}\nhosts {\n 10.9.9.9 local.test\n fallthrough\n}\nloadbalance\nacl {\n allow\n}\ncache 30\nlog",
            ["log", "acl", "loadbalance", "cache", "hosts", "forward"] },
        // CoreDNS 1.14.2: rewrite runs before acl, so acl judges the name later handlers answer for (the bypass it closed).
        { "acl {\n allow\n}\nrewrite name a.test b.test\ncache 30\nforward . {UPSTREAM}", ["rewrite", "acl", "cache", "forward"] },
        { "whoami\nforward . {UPSTREAM}\nlog", ["log", "forward", "whoami"] },
        // CoreDNS 1.14's shed is accepted (a start-up warning) and adds no handler: forward sheds per client instead.
        { "shed\nforward . {UPSTREAM} {\n max_concurrent 100\n}\nlog", ["log", "forward"] },
    };

    [Theory]
    [MemberData(nameof(Shuffled))]
    public async Task The_chain_follows_plugin_cfg_not_the_corefile(string directives, string[] expected)
    {
        await using var upstream = new FakeUpstream();
        await using var server = await StartAsync(directives, upstream);

        var block = server.Pipeline.Blocks.Single();
        Assert.Equal(expected, block.Handlers.Select(h => h.Name));
        Assert.Equal(expected, Chain(block).Select(h => h.Name));
    }

    [Fact]
    public async Task A_cache_listed_after_forward_still_answers_before_forward()
    {
        await using var upstream = new FakeUpstream();
        await using var server = await StartAsync("forward . {UPSTREAM}\ncache 30\nlog", upstream);

        var first = await UdpQuery.AskAsync(server.Port, "cached.test.");
        var second = await UdpQuery.AskAsync(server.Port, "cached.test.");

        Assert.Equal(["192.0.2.1"], UdpQuery.Addresses(first));
        Assert.Equal(["192.0.2.1"], UdpQuery.Addresses(second));
        // The second answer came from the cache: forward, though listed first, was not reached again.
        Assert.Equal(1, upstream.CountFor("cached.test."));
    }

    [Fact]
    public async Task Hosts_listed_after_forward_answers_first_and_falls_through_to_it()
    {
        await using var upstream = new FakeUpstream();
        await using var server = await StartAsync("forward . {UPSTREAM}\nhosts {\n 10.9.9.9 local.test\n fallthrough\n}", upstream);

        var local = await UdpQuery.AskAsync(server.Port, "local.test.");
        var remote = await UdpQuery.AskAsync(server.Port, "remote.test.");

        Assert.Equal(["10.9.9.9"], UdpQuery.Addresses(local));
        Assert.Equal(0, upstream.CountFor("local.test."));
        Assert.Equal(["192.0.2.1"], UdpQuery.Addresses(remote));
        Assert.Equal(1, upstream.CountFor("remote.test."));
    }

    private static Task<CorefileServer> StartAsync(string directives, FakeUpstream upstream) =>
        CorefileServer.StartAsync(".:{PORT} {\n" + directives.Replace("{UPSTREAM}", upstream.Address, StringComparison.Ordinal) + "\n}\n");

    private static IEnumerable<DnsHandler> Chain(ServerBlockRuntime block)
    {
        for (var handler = block.Chain; handler is not null; handler = handler.Next)
        {
            yield return handler;
        }
    }
}
