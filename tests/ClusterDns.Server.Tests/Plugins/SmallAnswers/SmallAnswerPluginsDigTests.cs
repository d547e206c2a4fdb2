using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.SmallAnswers;

/// <summary>header, local, any, nsid and chaos together in one Corefile, asked by the real dig over the network.</summary>
public sealed class SmallAnswerPluginsDigTests
{
    private const string Corefile = """
        .:{PORT} {
            bind 127.0.0.1
            header {
                response clear aa
                response set ra
            }
            nsid test-node-7
            chaos 9.9.9 alice bob
            local
            any
            whoami
        }
        """;

    [Fact]
    public async Task Dig_sees_each_plugin_answer_in_one_server()
    {
        await using var server = await CorefileServer.StartAsync(Corefile);

        Assert.Equal(["\"9.9.9\""], await DigClient.ShortAsync(server.Port, "CH TXT version.bind"));
        Assert.Equal(["\"alice\"", "\"bob\""], await DigClient.ShortAsync(server.Port, "CH TXT authors.bind"));
        Assert.Equal(["127.0.0.1"], await DigClient.ShortAsync(server.Port, "localhost A"));
        Assert.Equal(["::1"], await DigClient.ShortAsync(server.Port, "foo.localhost AAAA"));
        Assert.Equal(["localhost."], await DigClient.ShortAsync(server.Port, "-x 127.0.0.1"));
        Assert.Equal(["\"ANY obsoleted\" \"See RFC 8482\""], await DigClient.ShortAsync(server.Port, "example.org ANY"));

        // NSID on an answer another plugin wrote (whoami), and only when asked.
        var asked = await DigClient.RunAsync(server.Port, "+nsid example.org A");
        Assert.Contains("NSID: 74 65 73 74 2d 6e 6f 64 65 2d 37 (\"test-node-7\")", asked);
        var notAsked = await DigClient.RunAsync(server.Port, "example.org A");
        Assert.DoesNotContain("NSID", notAsked);
        // header: whoami sets AA, the response rules clear it and set RA.
        Assert.Matches(@"flags: qr rd ra;", notAsked);
    }
}
