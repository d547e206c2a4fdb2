using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Rewrite;

/// <summary>
/// Aliases into the cluster zone, asked with real dig through a Corefile-built server: the kubernetes plugin
/// answers the rewritten name, the client sees the name it asked in the question and the answer.
/// </summary>
public sealed class RewriteDigTests
{
    [Fact]
    public async Task Aliases_are_answered_from_the_cluster_zone_under_the_name_the_client_asked()
    {
        await using var server = await CorefileServer.StartAsync("""
            .:{PORT} {
                bind 127.0.0.1
                rewrite name foo.example.com foo.default.svc.cluster.local
                rewrite name regex (.*)\.corp\.local {1}.default.svc.cluster.local answer auto
                kubernetes cluster.local {
                    manifests cluster
                }
            }
            """,
            new Dictionary<string, string>
            {
                ["cluster/svc.yaml"] = """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: foo, namespace: default}
                    spec: {clusterIP: 10.96.0.20, ports: [{name: http, port: 80, protocol: TCP}]}
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {name: web, namespace: default}
                    spec: {clusterIP: 10.96.0.21, ports: [{name: http, port: 80, protocol: TCP}]}
                    """,
            });
        await server.ClusterSyncedAsync();

        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(server.Port, "foo.example.com A"));
        Assert.Equal(["10.96.0.21"], await DigClient.ShortAsync(server.Port, "web.corp.local A"));

        var output = await DigClient.RunAsync(server.Port, "Web.Corp.Local A");
        Assert.Contains("status: NOERROR", output);
        Assert.Contains(";Web.Corp.Local.", output);
        // Owner names come back lower-cased: answer auto restores the name rules matched on.
        Assert.Matches(@"(?im)^web\.corp\.local\.\s+\d+\s+IN\s+A\s+10\.96\.0\.21", output);
        Assert.DoesNotContain("svc.cluster.local", output);

        // The original names themselves still answer, and a name no rule matches is not rewritten.
        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(server.Port, "foo.default.svc.cluster.local A"));
        var missing = await DigClient.RunAsync(server.Port, "nothere.corp.local A");
        Assert.Contains("status: NXDOMAIN", missing);
        Assert.Contains(";nothere.corp.local.", missing);
    }
}
