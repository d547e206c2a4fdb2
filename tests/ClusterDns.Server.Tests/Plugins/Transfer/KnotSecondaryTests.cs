using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Peers;

namespace ClusterDns.Server.Tests.Plugins.Transfer;

/// <summary>
/// A real Knot DNS secondary transfers the cluster zone and its reverse zone from ClusterDns on loopback, answers
/// a sample of names exactly as ClusterDns does, and follows a NOTIFY after a Service is added with an IXFR answered
/// incrementally from our journal.
/// </summary>
public sealed class KnotSecondaryTests
{
    private static readonly (string Name, RecordType Type)[] Sample =
    [
        ("cluster.local", RecordType.NS),
        ("dns-version.cluster.local", RecordType.TXT),
        ("kubernetes.default.svc.cluster.local", RecordType.A),
        ("web-service.default.svc.cluster.local", RecordType.A),
        ("web-service.default.svc.cluster.local", RecordType.SRV),
        ("_http._tcp.web-service.default.svc.cluster.local", RecordType.SRV),
        ("_https._tcp.multi-port-service.default.svc.cluster.local", RecordType.SRV),
        ("headless-service.default.svc.cluster.local", RecordType.A),
        ("database-0.headless-service.default.svc.cluster.local", RecordType.A),
        ("_postgres._tcp.headless-service.default.svc.cluster.local", RecordType.SRV),
        ("external-database.default.svc.cluster.local", RecordType.CNAME),
        ("10.100.96.10.in-addr.arpa", RecordType.PTR),
        ("21.2.244.10.in-addr.arpa", RecordType.PTR),
    ];

    [Fact]
    public async Task Knot_transfers_the_cluster_zone_answers_the_same_and_follows_NOTIFY()
    {
        int knotPort = FreePorts.Loopback();
        await using var server = await CorefileServer.StartAsync($$"""
            cluster.local:{PORT} in-addr.arpa:{PORT} {
                bind 127.0.0.1
                kubernetes cluster.local in-addr.arpa {
                    manifests cluster
                }
                transfer {
                    to 127.0.0.1:{{knotPort}}
                }
            }
            """, ClusterTransferTests.DemoCluster());
        await server.ClusterSyncedAsync();
        using var knot = new KnotSecondary(server.Port, knotPort, "cluster.local", "in-addr.arpa");

        // Knot has our zone once its serial is the one we serve now.
        async Task<bool> IsOurs(uint serial) => serial == SerialOf(await AskAsync(server.Port, "cluster.local", RecordType.SOA));
        uint ours = await knot.WaitForSerialAsync("cluster.local", IsOurs, TimeSpan.FromSeconds(30));
        await knot.WaitForSerialAsync("in-addr.arpa", IsOurs, TimeSpan.FromSeconds(30));
        foreach (var (name, type) in Sample)
        {
            var fromUs = await AskAsync(server.Port, name, type);
            var fromKnot = await AskAsync(knot.Port, name, type);
            Assert.NotEmpty(fromUs.Answers);
            Assert.Equal(InProcessQuery.Lines(fromUs.Answers), InProcessQuery.Lines(fromKnot.Answers));
        }

        // A new Service changes the serial; the NOTIFY makes Knot transfer again and answer the new name.
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "cluster", "added.yaml"), """
            apiVersion: v1
            kind: Service
            metadata: {name: added, namespace: default}
            spec: {type: ClusterIP, clusterIP: 10.96.200.1, clusterIPs: [10.96.200.1], ports: [{name: http, port: 80, protocol: TCP}]}
            """);
        uint newer = await knot.WaitForSerialAsync("cluster.local", s => s != ours, TimeSpan.FromSeconds(30));
        Assert.Equal(newer, SerialOf(await AskAsync(server.Port, "cluster.local", RecordType.SOA)));
        var added = await AskAsync(knot.Port, "added.default.svc.cluster.local", RecordType.A);
        Assert.Equal(["added.default.svc.cluster.local. 5 in a 10.96.200.1"], InProcessQuery.Lines(added.Answers));
        // That second transfer was incremental: Knot logs an IXFR, and no AXFR-style answer to it.
        Assert.Matches(@"\[cluster\.local\.\] IXFR, incoming, remote [^\n]*finished", knot.LogText);
        Assert.DoesNotContain("AXFR-style", knot.LogText);
    }

    private static async Task<DnsMessage> AskAsync(int port, string name, RecordType type) =>
        Assert.Single(await AxfrClient.TransferAsync(port, name, type));

    private static uint SerialOf(DnsMessage message) =>
        Assert.IsType<SoaData>(Assert.Single(message.Answers, r => r.Type == RecordType.SOA).Data).Serial;
}
