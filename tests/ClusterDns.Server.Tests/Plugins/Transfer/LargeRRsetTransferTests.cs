using System.Text;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.Transfer;

/// <summary>
/// An RRset larger than any message (a headless Service of 1,500 endpoints: ~110 KiB of SRV records at its name) is
/// split across messages, as CoreDNS does, with every record once.
/// </summary>
public sealed class LargeRRsetTransferTests
{
    private const int Endpoints = 1500;

    [Fact]
    public async Task A_headless_Service_with_thousands_of_records_is_transferred_whole()
    {
        var manifest = new StringBuilder("""
            apiVersion: v1
            kind: Service
            metadata: {name: big, namespace: default}
            spec: {clusterIP: None, ports: [{name: app, port: 8080, protocol: TCP}]}

            """);
        for (int slice = 0; slice < 2; slice++)
        {
            manifest.Append("---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n")
                .Append($"metadata: {{name: big-{slice}, namespace: default, labels: {{kubernetes.io/service-name: big}}}}\n")
                .Append("addressType: IPv4\nports: [{name: app, port: 8080, protocol: TCP}]\nendpoints:\n");
            for (int i = slice * Endpoints / 2; i < (slice + 1) * Endpoints / 2; i++)
            {
                manifest.Append($"- {{addresses: [10.244.{i / 250}.{i % 250 + 1}], conditions: {{ready: true}}}}\n");
            }
        }
        await using var server = await CorefileServer.StartAsync("""
            cluster.local:{PORT} {
                bind 127.0.0.1
                kubernetes cluster.local {
                    manifests cluster
                }
                transfer {
                    to *
                }
            }
            """, new Dictionary<string, string> { ["cluster/big.yaml"] = manifest.ToString() });
        await server.ClusterSyncedAsync();

        var messages = await AxfrClient.TransferAsync(server.Port, "cluster.local");
        var records = AxfrClient.Records(messages);

        Assert.All(messages, m => Assert.Equal(ResponseCode.NoError, m.Rcode));
        Assert.Equal(RecordType.SOA, records[^1].Type);
        var serviceName = DnsName.Parse("big.default.svc.cluster.local.");
        var portName = DnsName.Parse("_app._tcp.big.default.svc.cluster.local.");
        Assert.Equal(Endpoints, records.Count(r => r.Type == RecordType.SRV && r.Name.Equals(serviceName)));
        Assert.Equal(Endpoints, records.Count(r => r.Type == RecordType.SRV && r.Name.Equals(portName)));
        Assert.Equal(Endpoints, records.Count(r => r.Type == RecordType.A && r.Name.Equals(serviceName)));
        Assert.Equal(Endpoints, records.Count(r => r.Type == RecordType.A && r.Name.IsSubdomainOf(serviceName) && !r.Name.Equals(serviceName)));
        Assert.Equal(records.Count - 1, records.Select(InProcessQuery.Line).Distinct().Count()); // only the SOA twice
    }
}
