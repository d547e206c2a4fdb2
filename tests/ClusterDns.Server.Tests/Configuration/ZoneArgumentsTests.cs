using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Tests.Configuration;

/// <summary>The one reading of zone arguments every plugin uses (CoreDNS's OriginsFromArgsOrServerBlock).</summary>
public class ZoneArgumentsTests
{
    private static readonly DnsName[] BlockZones = [DnsName.Parse("example.org."), DnsName.Parse("in-addr.arpa.")];

    [Fact]
    public void No_arguments_means_the_server_blocks_zones()
    {
        Assert.Same(BlockZones, ZoneArguments.OrBlock(Args("file db.example"), 1, BlockZones));
    }

    [Fact]
    public void Arguments_are_lower_cased_absolute_deduplicated_and_cidrs_become_reverse_zones()
    {
        var zones = ZoneArguments.OrBlock(Args("file db.example Sub.EXAMPLE.org sub.example.org. 10.0.0.0/8 172.16.0.0/15"), 1, BlockZones);

        Assert.Equal(["sub.example.org.", "10.in-addr.arpa.", "16.172.in-addr.arpa.", "17.172.in-addr.arpa."], zones.Select(z => z.ToString()));
    }

    [Fact]
    public void A_bad_zone_is_an_error_at_its_file_and_line()
    {
        var error = Assert.Throws<CorefileException>(() => ZoneArguments.Parse(Args("cache 30 good.example bad..example"), 1));

        Assert.Contains("Corefile:2", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad..example", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inside_block_rejects_a_zone_the_block_does_not_hold()
    {
        Assert.Single(ZoneArguments.OrBlock(Args("kubernetes cluster.example.org"), 0, BlockZones, insideBlock: true));
        var error = Assert.Throws<CorefileException>(() => ZoneArguments.OrBlock(Args("kubernetes cluster.local"), 0, BlockZones, insideBlock: true));
        Assert.Contains("not inside the server block's zones", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plugins_read_their_zones_the_same_way()
    {
        var document = CorefileParser.Parse("""
            example.org 10.0.0.0/8 {
                cache 30 EXAMPLE.org 10.0.0.0/8
                acl EXAMPLE.org 10.0.0.0/8 {
                    allow
                }
            }
            """, "Corefile");
        var block = document.ServerBlocks[0];
        var zones = block.Keys.Select(k => DnsName.Parse(k.Zone)).ToArray();
        var expected = new[] { "example.org.", "10.in-addr.arpa." };

        Assert.Equal(expected, global::ClusterDns.Server.Plugins.Cache.CacheSetup.Parse(block.Directives[0], zones).Zones.Select(z => z.ToString()));
        Assert.Equal(expected, global::ClusterDns.Server.Plugins.Acl.AclSetup.Parse(block.Directives[1], zones).Zones.Select(z => z.ToString()));
    }

    /// <summary>The arguments of a directive on line 2 of a Corefile.</summary>
    private static IReadOnlyList<Token> Args(string directive) =>
        CorefileParser.Parse(". {\n" + directive + "\n}\n", "Corefile").ServerBlocks[0].Directives[0].Args;
}
