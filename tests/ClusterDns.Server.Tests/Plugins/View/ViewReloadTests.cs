using ClusterDns.Corefile;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.View;

/// <summary>A reload swaps the whole router: new views answer at once, and a bad view keeps the old ones serving.</summary>
public class ViewReloadTests
{
    private static string Corefile(string range) => $$"""
        .:{PORT} {
            view internal {
                expr incidr(client_ip(), '{{range}}')
            }
            hosts {
                1.1.1.1 test
            }
        }
        .:{PORT} {
            hosts {
                3.3.3.3 test
            }
        }
        """;

    [Fact]
    public async Task A_reloaded_view_answers_and_a_bad_one_is_rejected()
    {
        await using var server = await CorefileServer.StartAsync(Corefile("127.0.0.2/32"), retireGrace: TimeSpan.Zero);
        Assert.Equal(["1.1.1.1"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.2 test A"));
        Assert.Equal(["3.3.3.3"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.3 test A"));

        await File.WriteAllTextAsync(server.CorefilePath, CorefileServer.WithPort(Corefile("127.0.0.3/32"), server.Port));
        await server.Server.ReplaceAsync(server.Loader.Load(server.CorefilePath), CancellationToken.None);
        Assert.Equal(["3.3.3.3"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.2 test A"));
        Assert.Equal(["1.1.1.1"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.3 test A"));

        await File.WriteAllTextAsync(server.CorefilePath, CorefileServer.WithPort(Corefile("127.0.0.300/32"), server.Port));
        var error = Assert.Throws<CorefileException>(() => server.Loader.Load(server.CorefilePath));
        Assert.Equal(3, error.Line);
        Assert.Contains("is not a CIDR range", error.Reason);
        Assert.Equal(["1.1.1.1"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.3 test A"));
    }
}
