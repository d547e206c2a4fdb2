using ClusterDns.NodeSetup;

namespace ClusterDns.EndToEnd.Tests.NodeCache;

/// <summary>node-cache's rules (kubernetes/dns cmd/node-cache/app/cache_app.go initIptables), in its order.</summary>
public sealed class IptablesRuleTests
{
    [Fact]
    public void Each_local_address_gets_node_caches_twelve_rules()
    {
        var rules = IptablesRule.ForNodeCache(["169.254.20.10", "10.96.0.10"], 53, 8080).Select(r => r.ToString()).ToArray();

        Assert.Equal(24, rules.Length);
        Assert.Equal(
        [
            "-t raw PREROUTING -p tcp -d 169.254.20.10 --dport 53 -j NOTRACK",
            "-t raw PREROUTING -p udp -d 169.254.20.10 --dport 53 -j NOTRACK",
            "-t filter INPUT -p tcp -d 169.254.20.10 --dport 53 -j ACCEPT",
            "-t filter INPUT -p udp -d 169.254.20.10 --dport 53 -j ACCEPT",
            "-t raw OUTPUT -p tcp -s 169.254.20.10 --sport 53 -j NOTRACK",
            "-t raw OUTPUT -p udp -s 169.254.20.10 --sport 53 -j NOTRACK",
            "-t filter OUTPUT -p tcp -s 169.254.20.10 --sport 53 -j ACCEPT",
            "-t filter OUTPUT -p udp -s 169.254.20.10 --sport 53 -j ACCEPT",
            "-t raw OUTPUT -p tcp -d 169.254.20.10 --dport 53 -j NOTRACK",
            "-t raw OUTPUT -p udp -d 169.254.20.10 --dport 53 -j NOTRACK",
            "-t raw OUTPUT -p tcp -d 169.254.20.10 --dport 8080 -j NOTRACK",
            "-t raw OUTPUT -p tcp -s 169.254.20.10 --sport 8080 -j NOTRACK",
        ], rules[..12]);
        Assert.Equal("-t raw PREROUTING -p tcp -d 10.96.0.10 --dport 53 -j NOTRACK", rules[12]);
    }

    [Fact]
    public void The_dns_port_flag_moves_the_rules_with_it()
    {
        var rules = IptablesRule.ForNodeCache(["169.254.20.10"], 1053, 9090);

        Assert.All(rules.Take(10), r => Assert.Contains("1053", r.Args));
        Assert.All(rules.Skip(10), r => Assert.Contains("9090", r.Args));
    }
}
