using ClusterDns.Corefile;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.View;

/// <summary>
/// Several server blocks for one zone and port, chosen per query by view, with real dig: CoreDNS's README
/// examples (split horizon by client address, by query type, by name) and its start-up rules for such blocks.
/// </summary>
public class ViewRoutingTests
{
    // The README's split-horizon example; dig's -b picks the client address among 127.0.0.0/8.
    private const string SplitHorizon = """
        .:{PORT} {
            view example1 {
                expr incidr(client_ip(), '127.0.0.0/24')
            }
            hosts {
                1.1.1.1 test
            }
        }

        .:{PORT} {
            view example2 {
                expr incidr(client_ip(), '127.0.1.0/24')
            }
            hosts {
                2.2.2.2 test
            }
        }

        .:{PORT} {
            hosts {
                3.3.3.3 test
            }
        }
        """;

    [Theory]
    [InlineData("127.0.0.1", "1.1.1.1")]
    [InlineData("127.0.0.77", "1.1.1.1")]
    [InlineData("127.0.1.9", "2.2.2.2")]
    [InlineData("127.0.2.1", "3.3.3.3")]
    public async Task Split_horizon_by_client_address(string client, string expected)
    {
        await using var server = await CorefileServer.StartAsync(SplitHorizon);

        Assert.Equal([expected], await DigClient.ShortAsync(server.Port, $"-b {client} test A"));
        Assert.Equal([expected], await DigClient.ShortAsync(server.Port, $"-b {client} +tcp test A"));
    }

    [Fact]
    public async Task By_query_type_and_by_name()
    {
        await using var server = await CorefileServer.StartAsync("""
            .:{PORT} {
                view addresses {
                    expr type() in ['A', 'AAAA']
                }
                template IN ANY . {
                    answer "{{ .Name }} 60 IN TXT addresses"
                    answer "{{ .Name }} 60 IN A 10.0.0.6"
                }
            }
            .:{PORT} {
                view abc {
                    expr name() matches '^abc\\..*\\.example\\.com\\.$'
                }
                template IN ANY . {
                    answer "{{ .Name }} 60 IN TXT abc"
                }
            }
            .:{PORT} {
                template IN ANY . {
                    answer "{{ .Name }} 60 IN TXT default"
                }
            }
            """);

        Assert.Contains("10.0.0.6", await DigClient.ShortAsync(server.Port, "abc.x.example.com A"));
        Assert.Equal(["\"abc\""], await DigClient.ShortAsync(server.Port, "abc.x.y.example.com TXT"));
        Assert.Equal(["\"default\""], await DigClient.ShortAsync(server.Port, "abd.x.example.com TXT"));
        Assert.Equal(["\"default\""], await DigClient.ShortAsync(server.Port, "abc.example.com TXT"));
    }

    [Fact]
    public async Task Every_expr_line_must_be_true()
    {
        await using var server = await CorefileServer.StartAsync("""
            example.org:{PORT} {
                view both {
                    expr type() == 'A'
                    expr incidr(client_ip(), '127.0.0.2/32')
                }
                hosts {
                    10.0.0.1 www.example.org
                }
            }
            example.org:{PORT} {
                hosts {
                    10.0.0.2 www.example.org
                }
            }
            """);

        Assert.Equal(["10.0.0.1"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.2 www.example.org A"));
        Assert.Equal(["10.0.0.2"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.3 www.example.org A"));
    }

    [Fact]
    public async Task With_no_view_matching_a_shorter_zone_answers_or_refused()
    {
        await using var server = await CorefileServer.StartAsync("""
            example.org:{PORT} {
                view inside {
                    expr incidr(client_ip(), '127.0.0.2/32')
                }
                hosts {
                    10.0.0.1 www.example.org
                }
            }
            .:{PORT} {
                hosts {
                    10.0.0.9 www.example.org
                }
            }
            example.net:{PORT} {
                view only {
                    expr incidr(client_ip(), '127.0.0.2/32')
                }
                hosts {
                    10.0.0.3 www.example.net
                }
            }
            """);

        Assert.Equal(["10.0.0.1"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.2 www.example.org A"));
        // As CoreDNS: when no block of the longest zone admits the query, the next shorter zone is tried.
        Assert.Equal(["10.0.0.9"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.3 www.example.org A"));
        Assert.Equal(["10.0.0.3"], await DigClient.ShortAsync(server.Port, "-b 127.0.0.2 www.example.net A"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(server.Port, "-b 127.0.0.3 www.example.net A"));
    }

    [Fact]
    public async Task Only_views_and_no_match_is_refused()
    {
        await using var server = await CorefileServer.StartAsync("""
            example.org:{PORT} {
                view inside {
                    expr incidr(client_ip(), '127.0.0.2/32')
                }
                hosts {
                    10.0.0.1 www.example.org
                }
            }
            """);

        Assert.Equal("NOERROR", await DigClient.StatusAsync(server.Port, "-b 127.0.0.2 www.example.org A"));
        Assert.Equal("REFUSED", await DigClient.StatusAsync(server.Port, "-b 127.0.0.3 www.example.org A"));
    }

    [Theory]
    [InlineData("""
        .:{PORT} {
            whoami
        }
        .:{PORT} {
            view late {
                expr true
            }
            whoami
        }
        """, 4, "blocks with views must come first")]
    [InlineData("""
        example.org:{PORT} {
            whoami
        }
        example.org:{PORT} {
            whoami
        }
        """, 4, "it is already defined")]
    [InlineData("""
        example.org {
            whoami
        }
        example.org:53 {
            whoami
        }
        """, 4, "cannot serve dns://example.org.:53 - it is already defined (line 1)")]
    [InlineData("""
        0.10.in-addr.arpa {
            whoami
        }

        10.0.0.0/16 {
            whoami
        }
        """, 5, "cannot serve dns://0.10.in-addr.arpa.:53 - it is already defined")]
    [InlineData("""
        . example.org:{PORT} {
            whoami
        }
        example.org:{PORT} {
            whoami
        }
        """, 4, "it is already defined")]
    [InlineData("""
        .:{PORT} {
            view bad {
                expr client_ip == '1.2.3.4'
            }
            whoami
        }
        """, 3, "is a function")]
    public async Task Start_up_errors_name_file_and_line(string corefile, int line, string reason)
    {
        var error = await Assert.ThrowsAsync<CorefileException>(() => CorefileServer.StartAsync(corefile));

        Assert.Equal(line, error.Line);
        Assert.EndsWith("Corefile", error.File);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public async Task Blocks_with_views_before_the_default_and_on_other_ports_start()
    {
        await using var server = await CorefileServer.StartAsync("""
            .:{PORT} {
                view a {
                    expr true
                }
                whoami
            }
            .:{PORT} {
                view b {
                    expr false
                }
                whoami
            }
            .:{PORT} {
                whoami
            }
            """);

        Assert.Equal("NOERROR", await DigClient.StatusAsync(server.Port, "example.org A"));
    }
}
