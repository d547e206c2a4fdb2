using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// With the client's share of forwards full (the upstream a black hole), what the cluster zone answers keeps
/// flowing: its names, and the search-path candidates it answers NXDOMAIN, never reach forward.
/// </summary>
public sealed class ForwardShedClusterZoneTests
{
    [Fact]
    public async Task Cluster_names_and_search_path_candidates_are_answered_while_forwards_are_refused()
    {
        using var hole = new BlackHole();
        await using var server = await CorefileServer.StartAsync($$"""
            .:{PORT} {
                bind 127.0.0.1
                kubernetes cluster.local in-addr.arpa ip6.arpa {
                    manifests cluster
                    fallthrough in-addr.arpa ip6.arpa
                }
                cache 30
                forward . {{hole.EndPoint}} {
                    max_concurrent 10
                    max_concurrent_per_client 1
                }
            }
            """,
            new Dictionary<string, string>
            {
                ["cluster/svc.yaml"] = """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: web, namespace: default}
                    spec: {clusterIP: 10.96.0.20, ports: [{port: 80}]}
                    """,
            });
        await server.ClusterSyncedAsync();

        // This client's one forward hangs at the black hole: its share is full.
        var hanging = DigClient.RunAsync(server.Port, "first.example.org A");
        await hole.ReceiveAsync();
        Assert.Equal("REFUSED", await DigClient.StatusAsync(server.Port, "second.example.org A"));

        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(server.Port, "web.default.svc.cluster.local A"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(server.Port, "web.default.svc.cluster.local.cluster.local A"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(server.Port, "web.default.svc.cluster.local.default.svc.cluster.local AAAA"));
        Assert.Equal("NOERROR", await DigClient.StatusAsync(server.Port, "web.default.svc.cluster.local AAAA"));
        Assert.Equal("REFUSED", await DigClient.StatusAsync(server.Port, "third.example.org A"));

        await hanging;
        string scrape = server.Pipeline.Context.Metrics.Scrape();
        Assert.Contains("coredns_forward_client_share_rejects_total 2", scrape);
    }
}
