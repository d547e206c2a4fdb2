using System.Net.Http;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Http;

namespace ClusterDns.Server.Tests.Plugins.View;

/// <summary>The <c>view</c> label of CoreDNS's DNS metrics carries the name of the view that answered.</summary>
public class ViewMetricsTests
{
    [Fact]
    public async Task Requests_are_counted_under_the_view_that_answered()
    {
        await using var harness = await OperabilityHarness.StartAsync("""
            example.org:0 {
                view addresses {
                    expr type() in ['A', 'AAAA']
                }
                prometheus 127.0.0.1:0
                hosts {
                    10.0.0.1 www.example.org
                }
            }
            example.org:0 {
                prometheus 127.0.0.1:0
                hosts {
                    10.0.0.2 www.example.org
                }
            }
            """);

        Assert.Equal(ResponseCode.NoError, (await harness.QueryAsync("www.example.org", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NoError, (await harness.QueryAsync("www.example.org", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NoError, (await harness.QueryAsync("www.example.org", RecordType.MX)).Rcode);

        using var http = new HttpClient();
        var lines = (await http.GetStringAsync(harness.HttpUri("/metrics"))).Split('\n');

        Assert.Contains("coredns_dns_requests_total{server=\"dns://:0\",zone=\"example.org.\",view=\"addresses\",proto=\"udp\",family=\"1\",type=\"A\"} 2", lines);
        Assert.Contains("coredns_dns_requests_total{server=\"dns://:0\",zone=\"example.org.\",view=\"\",proto=\"udp\",family=\"1\",type=\"MX\"} 1", lines);
        Assert.Contains("coredns_plugin_enabled{server=\"dns://:0\",zone=\"example.org.\",view=\"addresses\",name=\"view\"} 1", lines);
        Assert.Contains("coredns_plugin_enabled{server=\"dns://:0\",zone=\"example.org.\",view=\"\",name=\"hosts\"} 1", lines);
    }
}
