using ClusterDns.Server.Hosting;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>Started with no reachable API server, the server still answers: SERVFAIL for the cluster zone, and is not ready.</summary>
public sealed class UnreachableApiTests
{
    [Fact]
    public async Task Without_an_api_server_cluster_names_are_servfail_and_the_handler_is_not_ready()
    {
        var directory = Directory.CreateTempSubdirectory("clusterdns-noapi-").FullName;
        int apiPort = DigClient.FreePort();
        int port = DigClient.FreePort();
        var corefile = Path.Combine(directory, "Corefile");
        await File.WriteAllTextAsync(corefile, $$"""
            cluster.local:{{port}} {
                bind 127.0.0.1
                kubernetes cluster.local {
                    endpoint http://127.0.0.1:{{apiPort}}
                }
            }
            """);
        var pipeline = new CorefileLoader(NullLoggerFactory.Instance).Load(corefile);
        await using var dns = new DnsServer(NullLoggerFactory.Instance);
        await dns.StartAsync(pipeline, CancellationToken.None);
        try
        {
            Assert.Equal("SERVFAIL", await DigClient.StatusAsync(port, "web.default.svc.cluster.local A"));
            // The apex is ours whatever the API says.
            Assert.Equal("NOERROR", await DigClient.StatusAsync(port, "dns-version.cluster.local TXT"));
            Assert.False(dns.IsReady);
            Assert.Equal(["kubernetes"], dns.NotReady.ToArray());
            Assert.False(pipeline.Components.OfType<ClusterZoneComponent>().Single().IsReady);
        }
        finally
        {
            await dns.StopAsync(TimeSpan.Zero, CancellationToken.None);
            Directory.Delete(directory, recursive: true);
        }
    }
}
