using ClusterDns.Testing.Processes;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.Hosts;

/// <summary>The CoreDNS 1.14 options of hosts and loadbalance through a real server, asked with dig.</summary>
public sealed class NewerOptionsDigTests
{
    private const string Corefile = """
        example.com:{PORT} {
            loadbalance {
                prefer 192.0.2.0/24
            }
            hosts {
                198.51.100.1 multi.example.com
                192.0.2.7    multi.example.com
                192.168.1.10 *.example.com
                192.168.1.11 a.example.com
                fallthrough
                fallthrough_unsupported
            }
            whoami
        }
        """;

    [Fact]
    public async Task Wildcards_prefer_and_fallthrough_unsupported_answer_as_coredns_does()
    {
        await using var server = await CorefileServer.StartAsync(Corefile);

        Assert.Equal(["192.168.1.10"], await DigClient.ShortAsync(server.Port, "apps.example.com A"));
        Assert.Equal(["192.168.1.11"], await DigClient.ShortAsync(server.Port, "a.example.com A"));
        // Two labels down and the apex are not the wildcard's: they have no entry, so they fall through to whoami.
        Assert.Contains("_udp.deep.apps.example.com", await DigClient.RunAsync(server.Port, "deep.apps.example.com A"));
        Assert.Contains("_udp.example.com", await DigClient.RunAsync(server.Port, "example.com A"));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(["192.0.2.7", "198.51.100.1"], await DigClient.ShortAsync(server.Port, "multi.example.com A"));
        }

        // A known name's AAAA stays here (NODATA, aa); its TXT goes on to whoami.
        var aaaa = await DigClient.RunAsync(server.Port, "a.example.com AAAA");
        Assert.Contains("status: NOERROR", aaaa);
        Assert.Contains("ANSWER: 0", aaaa);
        Assert.DoesNotContain("_udp.a.example.com", aaaa);
        Assert.Contains("_udp.a.example.com", await DigClient.RunAsync(server.Port, "a.example.com TXT"));
    }
}
