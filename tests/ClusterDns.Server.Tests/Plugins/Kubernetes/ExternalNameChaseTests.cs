using ClusterDns.Server.Hosting;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

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
        var directory = Directory.CreateTempSubdirectory("clusterdns-chase-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "cluster"));
        await File.WriteAllTextAsync(Path.Combine(directory, "cluster", "svc.yaml"), """
            apiVersion: v1
            kind: Service
            metadata: {name: external-database, namespace: default}
            spec: {type: ExternalName, externalName: database.example.org}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: nowhere, namespace: default}
            spec: {type: ExternalName, externalName: missing.example.org}
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "example.org.zone"), """
            $ORIGIN example.org.
            $TTL 300
            @ IN SOA ns1 hostmaster 1 7200 1800 86400 60
              IN NS ns1
            ns1 IN A 192.0.2.53
            database IN A 192.0.2.30
            """);
        int port = DigClient.FreePort();
        var corefile = Path.Combine(directory, "Corefile");
        await File.WriteAllTextAsync(corefile, $$"""
            cluster.local:{{port}} {
                bind 127.0.0.1
                kubernetes cluster.local {
                    manifests cluster
                }
            }
            example.org:{{port}} {
                bind 127.0.0.1
                file example.org.zone
            }
            """);
        var pipeline = new CorefileLoader(NullLoggerFactory.Instance).Load(corefile);
        await using var dns = new DnsServer(NullLoggerFactory.Instance);
        await dns.StartAsync(pipeline, CancellationToken.None);
        try
        {
            await pipeline.Components.OfType<ClusterDns.Server.Plugins.Kubernetes.ClusterZoneComponent>().Single().FirstSync.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(["192.0.2.30", "database.example.org."], await DigClient.ShortAsync(port, "external-database.default.svc.cluster.local A"));
            // The CNAME itself, asked as CNAME, is not followed.
            Assert.Equal(["database.example.org."], await DigClient.ShortAsync(port, "external-database.default.svc.cluster.local CNAME"));
            // A target that does not exist: the chain ends in NXDOMAIN (RFC 6604), the CNAME still shown.
            var output = await DigClient.RunAsync(port, "nowhere.default.svc.cluster.local A");
            Assert.Contains("status: NXDOMAIN", output);
            Assert.Contains("missing.example.org.", output);
        }
        finally
        {
            await dns.StopAsync(TimeSpan.Zero, CancellationToken.None);
            Directory.Delete(directory, recursive: true);
        }
    }
}
