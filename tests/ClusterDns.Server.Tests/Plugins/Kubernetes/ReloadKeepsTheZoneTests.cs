using ClusterDns.Server.Hosting;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// A reload builds a new kubernetes source that starts empty; the old pipeline keeps answering until the new
/// one has listed, so a Corefile edit never turns cluster names into SERVFAIL.
/// </summary>
public sealed class ReloadKeepsTheZoneTests
{
    [Fact]
    public async Task Cluster_names_answer_right_after_a_reload()
    {
        var directory = Directory.CreateTempSubdirectory("clusterdns-reload-zone-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "cluster"));
        await File.WriteAllTextAsync(Path.Combine(directory, "cluster", "svc.yaml"), """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec: {clusterIP: 10.96.8.8, ports: [{name: http, port: 80, protocol: TCP}]}
            """);
        int port = DigClient.FreePort();
        var corefile = Path.Combine(directory, "Corefile");
        string Text(int ttl) => $$"""
            cluster.local:{{port}} {
                bind 127.0.0.1
                kubernetes cluster.local {
                    manifests cluster
                    ttl {{ttl}}
                }
            }
            """;
        await File.WriteAllTextAsync(corefile, Text(5));
        var loader = new CorefileLoader(NullLoggerFactory.Instance);
        var first = loader.Load(corefile);
        await using var dns = new DnsServer(NullLoggerFactory.Instance) { RetireGrace = TimeSpan.Zero };
        await dns.StartAsync(first, CancellationToken.None);
        try
        {
            await first.Components.OfType<ClusterDns.Server.Plugins.Kubernetes.ClusterZoneComponent>().Single().FirstSync.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Contains("status: NOERROR", await DigClient.RunAsync(port, "web.default.svc.cluster.local A"));

            for (int reload = 0; reload < 3; reload++)
            {
                await File.WriteAllTextAsync(corefile, Text(10 + reload));
                var next = loader.Load(corefile);
                await dns.ReplaceAsync(next, CancellationToken.None);
                // The swap waited for the new source's first list.
                Assert.True(next.Readiness.All(r => r.IsReady));
                var output = await DigClient.RunAsync(port, "web.default.svc.cluster.local A");
                Assert.Contains("status: NOERROR", output);
                Assert.Matches($@"web\.default\.svc\.cluster\.local\.\s+{10 + reload}\s+IN\s+A\s+10\.96\.8\.8", output);
            }
        }
        finally
        {
            await dns.StopAsync(TimeSpan.Zero, CancellationToken.None);
            Directory.Delete(directory, recursive: true);
        }
    }
}
