using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The real executable with CoreDNS's view README examples: blocks for one zone and port chosen per query by the
/// client's address and by query type, asked with real dig from different loopback source addresses.
/// </summary>
public sealed class ViewSplitHorizonTests
{
    private const string Corefile = """
        .:{PORT} {
            view internal {
                expr incidr(client_ip(), '127.0.0.0/24')
            }
            hosts {
                1.1.1.1 test
            }
        }

        .:{PORT} {
            view mail {
                expr type() in ['MX', 'TXT']
            }
            template IN ANY . {
                answer "{{ .Name }} 60 IN TXT mail-view"
            }
        }

        .:{PORT} {
            hosts {
                3.3.3.3 test
            }
        }
        """;

    [Fact]
    public async Task Each_client_gets_the_answer_of_its_view()
    {
        await using var server = ServerProcess.Start(Corefile);
        await server.WaitUntilAnsweringAsync("test", "A");

        Assert.Equal(["1.1.1.1"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.5 test A"));
        Assert.Equal(["3.3.3.3"], await DigClient.ShortAsync(server.Port, "-b 127.0.1.5 test A"));
        Assert.Equal(["\"mail-view\""], await DigClient.ShortAsync(server.Port, "-b 127.0.1.5 test TXT"));
        // The first view wins over the second for its clients, whatever the type.
        Assert.Equal("NOERROR", await DigClient.StatusAsync(server.Port, "-b 127.0.0.5 test TXT"));
        Assert.Empty(await DigClient.ShortAsync(server.Port, "-b 127.0.0.5 test TXT"));
    }

    [Fact]
    public async Task A_view_after_the_default_block_stops_the_start_with_the_line()
    {
        await using var server = ServerProcess.Start(".:{PORT} {\n    whoami\n}\n.:{PORT} {\n    view late {\n        expr true\n    }\n    whoami\n}\n");
        int exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exit);
        Assert.Contains("Corefile:4: cannot serve dns://.:", server.StandardError);
        Assert.Contains("blocks with views must come first", server.StandardError);
    }
}
