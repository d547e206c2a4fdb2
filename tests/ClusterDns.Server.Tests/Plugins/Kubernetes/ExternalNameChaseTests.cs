using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// An ExternalName CNAME that leaves the cluster zone is followed through the server's own pipeline
/// (here: the file plugin of another block on the same port), so resolvers that do not chase get addresses.
/// </summary>
public sealed class ExternalNameChaseTests
{
    [Fact]
    public async Task The_cname_target_outside_the_cluster_is_resolved_and_appended()
    {
        await using var server = await CorefileServer.StartAsync("""
            cluster.local:{PORT} {
                bind 127.0.0.1
                kubernetes cluster.local {
                    manifests cluster
                }
            }
            example.org:{PORT} {
                bind 127.0.0.1
                file example.org.zone
            }
            """,
            new Dictionary<string, string>
            {
                ["cluster/svc.yaml"] = """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: external-database, namespace: default}
                    spec: {type: ExternalName, externalName: database.example.org}
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {name: nowhere, namespace: default}
                    spec: {type: ExternalName, externalName: missing.example.org}
                    """,
                ["example.org.zone"] = """
                    $ORIGIN example.org.
                    $TTL 300
                    @ IN SOA ns1 hostmaster 1 7200 1800 86400 60
                      IN NS ns1
                    ns1 IN A 192.0.2.53
                    database IN A 192.0.2.30
                    """,
            });
        await server.ClusterSyncedAsync();

        Assert.Equal(["192.0.2.30", "database.example.org."], await DigClient.ShortAsync(server.Port, "external-database.default.svc.cluster.local A"));
        // The CNAME itself, asked as CNAME, is not followed.
        Assert.Equal(["database.example.org."], await DigClient.ShortAsync(server.Port, "external-database.default.svc.cluster.local CNAME"));
        // A target that does not exist: the chain ends in NXDOMAIN (RFC 6604), the CNAME still shown.
        var output = await DigClient.RunAsync(server.Port, "nowhere.default.svc.cluster.local A");
        Assert.Contains("status: NXDOMAIN", output);
        Assert.Contains("missing.example.org.", output);
    }
}
