using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Files;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Transfer;

/// <summary>
/// AXFR of the cluster zone (the demo cluster's Services: ClusterIP with named ports, NodePort, LoadBalancer,
/// headless with hostnames, ExternalName) over real TCP: CoreDNS's plugin/kubernetes xfr_test.go restated — the
/// transfer holds exactly the records the server answers one by one — and the real dig and kdig.
/// </summary>
public sealed class ClusterTransferTests : IAsyncLifetime
{
    private CorefileServer _server = null!;

    internal static Dictionary<string, string> DemoCluster() =>
        Directory.GetFiles(RepositoryPaths.DemoCluster, "*.yaml").ToDictionary(f => "cluster/" + Path.GetFileName(f), File.ReadAllText);

    public async Task InitializeAsync()
    {
        _server = await CorefileServer.StartAsync("""
            cluster.local:{PORT} in-addr.arpa:{PORT} {
                bind 127.0.0.1
                kubernetes cluster.local in-addr.arpa {
                    manifests cluster
                }
                transfer {
                    to 127.0.0.1
                }
            }
            """, DemoCluster());
        await _server.ClusterSyncedAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("cluster.local")]
    [InlineData("in-addr.arpa")]
    public async Task Every_record_of_the_transfer_is_what_a_query_for_its_name_and_type_answers(string zone)
    {
        var records = AxfrClient.Records(await AxfrClient.TransferAsync(_server.Port, zone));

        Assert.Equal(RecordType.SOA, records[0].Type);
        Assert.Equal(RecordType.SOA, records[^1].Type);
        var groups = records.Skip(1).SkipLast(1).GroupBy(r => (Name: r.Name.ToString().ToLowerInvariant(), r.Type)).ToList();
        Assert.NotEmpty(groups);
        foreach (var group in groups)
        {
            var response = Assert.Single(await AxfrClient.TransferAsync(_server.Port, group.Key.Name, group.Key.Type));
            var answered = response.Answers.Where(r => r.Type == group.Key.Type && r.Name.ToString().Equals(group.Key.Name, StringComparison.OrdinalIgnoreCase));
            Assert.Equal(InProcessQuery.Lines(answered), InProcessQuery.Lines(group));
        }
    }

    [Fact]
    public async Task The_transfer_lists_every_Service_endpoint_SRV_and_PTR_name_the_zone_answers()
    {
        var forward = AxfrClient.Records(await AxfrClient.TransferAsync(_server.Port, "cluster.local")).Select(InProcessQuery.Line).ToHashSet();
        var reverse = AxfrClient.Records(await AxfrClient.TransferAsync(_server.Port, "in-addr.arpa")).Select(InProcessQuery.Line).ToHashSet();

        string[] expectedForward =
        [
            "web-service.default.svc.cluster.local. 5 in a 10.96.100.10",
            "web-service.default.svc.cluster.local. 5 in srv 0 100 80 web-service.default.svc.cluster.local.",
            "_http._tcp.web-service.default.svc.cluster.local. 5 in srv 0 100 80 web-service.default.svc.cluster.local.",
            "_metrics._tcp.multi-port-service.default.svc.cluster.local. 5 in srv 0 100 9090 multi-port-service.default.svc.cluster.local.",
            "headless-service.default.svc.cluster.local. 5 in a 10.244.1.20",
            "database-1.headless-service.default.svc.cluster.local. 5 in a 10.244.2.21",
            "_postgres._tcp.headless-service.default.svc.cluster.local. 5 in srv 0 33 5432 database-2.headless-service.default.svc.cluster.local.",
            "external-database.default.svc.cluster.local. 5 in cname database.example.org.",
            "nodeport-service.default.svc.cluster.local. 5 in a 10.96.100.30",
            "loadbalancer-service.default.svc.cluster.local. 5 in a 10.96.100.40",
            "dns-version.cluster.local. 28800 in txt \"1.1.0\"",
        ];
        Assert.All(expectedForward, line => Assert.Contains(line, forward));
        // PTRs live in the reverse zone only, and the cluster zone's names only in the forward zone.
        Assert.Contains("10.100.96.10.in-addr.arpa. 5 in ptr web-service.default.svc.cluster.local.", reverse);
        Assert.Contains("20.1.244.10.in-addr.arpa. 5 in ptr database-0.headless-service.default.svc.cluster.local.", reverse);
        Assert.DoesNotContain(forward, line => line.Contains(" in ptr ", StringComparison.Ordinal));
        Assert.DoesNotContain(reverse, line => line.Contains(".cluster.local. 5 in a ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_cluster_zone_is_streamed_from_its_index_and_never_captured_as_a_copy()
    {
        var whole = AxfrClient.Records(await AxfrClient.TransferAsync(_server.Port, "cluster.local"));
        uint serial = ((SoaData)whole[0].Data).Serial;
        // An IXFR from a serial the journal never saw is answered with the whole zone, from the same index.
        var fromUnknown = AxfrClient.Records(await AxfrClient.TransferAsync(_server.Port, "cluster.local", RecordType.IXFR, serial - 1));

        Assert.Equal(whole.Select(InProcessQuery.Line), fromUnknown.Select(InProcessQuery.Line));
        var transfer = _server.Pipeline.Blocks.SelectMany(b => b.Handlers).OfType<ClusterDns.Server.Plugins.Transfer.TransferHandler>().Single();
        Assert.Null(transfer.JournalFor(DnsName.Parse("cluster.local").Wire, create: false));
    }

    [Fact]
    public async Task Dig_and_kdig_receive_the_same_records_as_our_client()
    {
        var records = AxfrClient.Records(await AxfrClient.TransferAsync(_server.Port, "cluster.local"));

        var dig = await DigClient.RunAsync(_server.Port, "cluster.local AXFR");
        Assert.Contains($"XFR size: {records.Count} records", dig);
        var kdig = (await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {_server.Port} +time=5 cluster.local AXFR")).Output;
        Assert.Matches($@";; Received \d+ B \(\d+ messages?, {records.Count} records\)", kdig);
    }

    [Fact]
    public async Task A_name_inside_the_zone_is_not_a_zone_to_transfer()
    {
        var message = Assert.Single(await AxfrClient.TransferAsync(_server.Port, "default.svc.cluster.local"));

        // The kubernetes plugin answers it as a name: it exists, without AXFR records.
        Assert.Equal(ResponseCode.NoError, message.Rcode);
        Assert.Empty(message.Answers);
    }
}
