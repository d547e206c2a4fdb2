using ClusterDns.Migration;
using ClusterDns.NodeCache;

namespace ClusterDns.EndToEnd.Tests.NodeCache;

/// <summary>
/// The template filled as node-cache's updateCorefile fills it (its TestUpdateCoreFile and TestUpdateIPv6CoreFile,
/// restated): every placeholder replaced, custom upstreams over UDP in place of the TCP forward to resolv.conf, one
/// block per stub domain after the template.
/// </summary>
public sealed class CorefileTemplateTests
{
    internal const string Template = """

        cluster.local:53 {
            errors
            cache {
                    success 9984 30
                    denial 9984 5
            }
            reload
            loop
            bind __PILLAR__LOCAL__DNS__
            forward . __PILLAR__CLUSTER__DNS__ {
                    force_tcp
            }
            prometheus :9253
            }
        .:53 {
            errors
            cache 30
            reload
            loop
            bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
            forward . __PILLAR__UPSTREAM__SERVERS__ {
                    force_tcp
            }
            prometheus :9253
            }

        """;

    private static NodeCacheOptions Options(string localIPs) => new()
    {
        LocalIPs = localIPs.Split(',').Select(System.Net.IPAddress.Parse).ToArray(),
        LocalIPTexts = localIPs.Split(','),
    };

    public static TheoryData<string, string, string[], (string Domain, string[] Servers)[], string> Cases => new()
    {
        {
            "169.254.20.10,10.0.0.10", "9.10.11.12", [], [],
            Template.Replace("__PILLAR__LOCAL__DNS__", "169.254.20.10 10.0.0.10").Replace("__PILLAR__CLUSTER__DNS__", "9.10.11.12")
                .Replace("__PILLAR__UPSTREAM__SERVERS__", "/etc/resolv.conf").Replace("__PILLAR__DNS__SERVER__", "")
        },
        {
            "169.254.20.10,10.0.0.10", "9.10.11.12", ["2.2.2.2:10053", "3.3.3.3"],
            [("acme.local", ["1.1.1.1"]), ("widget.local", ["2.2.2.2:10053", "3.3.3.3"])],
            Template.Replace("__PILLAR__LOCAL__DNS__", "169.254.20.10 10.0.0.10").Replace("__PILLAR__CLUSTER__DNS__", "9.10.11.12")
                .Replace("__PILLAR__DNS__SERVER__", "")
                .Replace("forward . __PILLAR__UPSTREAM__SERVERS__ {\n            force_tcp\n    }\n", "forward . 2.2.2.2:10053 3.3.3.3\n")
            + "\nacme.local:53 {\n    errors\n    cache 30\n    bind 169.254.20.10 10.0.0.10\n    forward . 1.1.1.1\n}\n"
            + "\nwidget.local:53 {\n    errors\n    cache 30\n    bind 169.254.20.10 10.0.0.10\n    forward . 2.2.2.2:10053 3.3.3.3\n}\n"
        },
        {
            "fe80:169:254::1,fd00:1:2:3::5", "2001:db8::1", ["[2001:db8:2:2:2::2]:10053", "2001:db8:3:3:3::3"],
            [("acme.local", ["2001:db8:1:1:1::1"])],
            Template.Replace("__PILLAR__LOCAL__DNS__", "fe80:169:254::1 fd00:1:2:3::5").Replace("__PILLAR__CLUSTER__DNS__", "2001:db8::1")
                .Replace("__PILLAR__DNS__SERVER__", "")
                .Replace("forward . __PILLAR__UPSTREAM__SERVERS__ {\n            force_tcp\n    }\n", "forward . [2001:db8:2:2:2::2]:10053 2001:db8:3:3:3::3\n")
            + "\nacme.local:53 {\n    errors\n    cache 30\n    bind fe80:169:254::1 fd00:1:2:3::5\n    forward . 2001:db8:1:1:1::1\n}\n"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_template_is_filled_as_node_cache_fills_it(string localIPs, string clusterDns, string[] upstreams, (string Domain, string[] Servers)[] stubs, string expected)
    {
        var config = new KubeDnsConfig(stubs.Select(s => new StubDomain(s.Domain, s.Servers)).ToArray(), upstreams);

        string corefile = CorefileTemplate.Render(Template, config, Options(localIPs), clusterDns);

        Assert.Equal(expected, corefile);
        Assert.DoesNotContain("PILLAR", corefile);
    }

    [Fact]
    public void A_forward_without_node_caches_tcp_block_gets_the_upstreams_in_place()
    {
        const string template = ".:53 {\n  forward . __PILLAR__UPSTREAM__SERVERS__ {\n    prefer_udp\n  }\n}\n";

        string corefile = CorefileTemplate.Render(template, new KubeDnsConfig([], ["8.8.8.8"]), Options("169.254.20.10"), "10.0.0.10");

        Assert.Equal(".:53 {\n  forward . 8.8.8.8 {\n    prefer_udp\n  }\n}\n", corefile);
    }

    [Theory]
    [InlineData("kube-dns", "KUBE_DNS_SERVICE_HOST")]
    [InlineData("kube-dns-upstream", "KUBE_DNS_UPSTREAM_SERVICE_HOST")]
    [InlineData("coredns", "COREDNS_SERVICE_HOST")]
    public void The_upstream_service_address_comes_from_its_kubernetes_environment_variable(string service, string variable)
    {
        Assert.Equal(variable, CorefileTemplate.ServiceHostVariable(service));
    }
}
