using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Contract;

/// <summary>
/// The core contract: a query goes to the server block with the longest zone that contains its name (as CoreDNS
/// does), case-insensitively; with no block for it, REFUSED. Each block's hosts answers with its own address,
/// so the answer shows which block served.
/// </summary>
public class ZoneRoutingContractTests
{
    private const string ThreeBlocks = """
        .:{PORT} {
            hosts {
                10.0.0.1 a.sub.example.org a.example.org other
            }
        }
        example.org:{PORT} {
            hosts {
                10.0.0.2 a.sub.example.org a.example.org
            }
        }
        sub.example.org:{PORT} {
            hosts {
                10.0.0.3 a.sub.example.org
            }
        }
        """;

    [Theory]
    [InlineData("a.sub.example.org.", "10.0.0.3")]
    [InlineData("a.example.org.", "10.0.0.2")]
    [InlineData("other.", "10.0.0.1")]
    [InlineData("A.Sub.EXAMPLE.org.", "10.0.0.3")]
    [InlineData("a.EXAMPLE.ORG.", "10.0.0.2")]
    public async Task The_longest_matching_zone_serves(string name, string expected)
    {
        await using var server = await CorefileServer.StartAsync(ThreeBlocks);

        var answer = await UdpQuery.AskAsync(server.Port, name);

        Assert.Equal(ResponseCode.NoError, answer.Rcode);
        Assert.Equal([expected], UdpQuery.Addresses(answer));
    }

    [Fact]
    public async Task Blocks_listed_in_any_order_route_the_same()
    {
        // Most specific first, root last: routing is by zone length, not by Corefile order.
        await using var server = await CorefileServer.StartAsync("""
            sub.example.org:{PORT} {
                hosts {
                    10.0.0.3 a.sub.example.org
                }
            }
            .:{PORT} {
                hosts {
                    10.0.0.1 a.sub.example.org a.example.org other
                }
            }
            example.org:{PORT} {
                hosts {
                    10.0.0.2 a.sub.example.org a.example.org
                }
            }
            """);

        Assert.Equal(["10.0.0.3"], UdpQuery.Addresses(await UdpQuery.AskAsync(server.Port, "a.sub.example.org.")));
        Assert.Equal(["10.0.0.2"], UdpQuery.Addresses(await UdpQuery.AskAsync(server.Port, "a.example.org.")));
        Assert.Equal(["10.0.0.1"], UdpQuery.Addresses(await UdpQuery.AskAsync(server.Port, "other.")));
    }

    [Fact]
    public async Task Without_a_root_block_an_outside_name_is_refused()
    {
        await using var server = await CorefileServer.StartAsync("""
            example.org:{PORT} {
                hosts {
                    10.0.0.2 a.example.org
                }
            }
            sub.example.org:{PORT} {
                hosts {
                    10.0.0.3 a.sub.example.org
                }
            }
            """);

        var outside = await UdpQuery.AskAsync(server.Port, "other.");
        var sibling = await UdpQuery.AskAsync(server.Port, "a.example.net.");
        var inside = await UdpQuery.AskAsync(server.Port, "A.Example.Org.");

        Assert.Equal(ResponseCode.Refused, outside.Rcode);
        Assert.Empty(outside.Answers);
        Assert.Equal(ResponseCode.Refused, sibling.Rcode);
        Assert.Equal(["10.0.0.2"], UdpQuery.Addresses(inside));
    }
}
