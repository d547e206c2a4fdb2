using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// A reload builds a new kubernetes source that starts empty; the old pipeline keeps answering until the new
/// one has listed, so a Corefile edit never turns cluster names into SERVFAIL.
/// </summary>
public sealed class ReloadKeepsTheZoneTests
{
    private static string Corefile(int ttl) => $$"""
        cluster.local:{PORT} {
            bind 127.0.0.1
            kubernetes cluster.local {
                manifests cluster
                ttl {{ttl}}
            }
        }
        """;

    [Fact]
    public async Task Cluster_names_answer_right_after_a_reload()
    {
        await using var server = await CorefileServer.StartAsync(Corefile(5), new Dictionary<string, string>
        {
            ["cluster/svc.yaml"] = """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec: {clusterIP: 10.96.8.8, ports: [{name: http, port: 80, protocol: TCP}]}
                """,
        }, retireGrace: TimeSpan.Zero);
        await server.ClusterSyncedAsync();
        Assert.Contains("status: NOERROR", await DigClient.RunAsync(server.Port, "web.default.svc.cluster.local A"));

        for (int reload = 0; reload < 3; reload++)
        {
            await File.WriteAllTextAsync(server.CorefilePath, CorefileServer.WithPort(Corefile(10 + reload), server.Port));
            var next = server.Loader.Load(server.CorefilePath);
            await server.Server.ReplaceAsync(next, CancellationToken.None);
            // The swap waited for the new source's first list.
            Assert.True(next.Readiness.All(r => r.IsReady));
            var output = await DigClient.RunAsync(server.Port, "web.default.svc.cluster.local A");
            Assert.Contains("status: NOERROR", output);
            Assert.Matches($@"web\.default\.svc\.cluster\.local\.\s+{10 + reload}\s+IN\s+A\s+10\.96\.8\.8", output);
        }
    }
}
