using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Secondary;

/// <summary>
/// The zone feed of a node cache: a central replica (kubernetes from the in-process API server, transfer with NOTIFY)
/// and a node cache holding cluster.local as its secondary, both real servers on loopback, asked with dig. A Service
/// created in the API answers at the node cache after NOTIFY and IXFR; a central replica that stops and starts again
/// does not take the node cache's zone away.
/// </summary>
public sealed class SecondaryFromClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private FakeKubernetesApiServer _api = null!;
    private CorefileServer _node = null!;
    private CorefileServer? _central;
    private int _centralPort;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApiServer.StartAsync();
        _api.Store.Apply("namespaces", """{"metadata":{"name":"shop"}}""");
        _api.Store.Apply("services", """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.20","ports":[{"name":"http","port":80,"protocol":"TCP"}]}}""");
        _centralPort = FreePorts.Loopback();
        // The node cache starts first and waits: the central replica's NOTIFY on its first list makes it transfer.
        _node = await CorefileServer.StartAsync($$"""
            cluster.local:{PORT} {
                bind 127.0.0.1
                secondary {
                    transfer from 127.0.0.1:{{_centralPort}}
                }
            }
            """);
        _central = await StartCentralAsync();
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        if (_central is not null)
        {
            await _central.DisposeAsync();
        }
        await _api.DisposeAsync();
    }

    private async Task<CorefileServer> StartCentralAsync()
    {
        var central = await CorefileServer.StartAsync($$"""
            cluster.local:{{_centralPort}} {
                bind 127.0.0.1
                kubernetes cluster.local {
                    kubeconfig kubeconfig
                }
                transfer {
                    to 127.0.0.1:{{_node.Port}}
                }
            }
            """, new Dictionary<string, string> { ["kubeconfig"] = _api.KubeConfig() });
        await central.ClusterSyncedAsync();
        return central;
    }

    [Fact]
    public async Task A_Service_created_in_the_API_answers_at_the_node_cache_after_NOTIFY_and_IXFR()
    {
        await UntilAsync(async () => await DigClient.ShortAsync(_node.Port, "web.shop.svc.cluster.local A") is ["10.96.0.20"]);
        Assert.Equal(["0 100 80 web.shop.svc.cluster.local."], await DigClient.ShortAsync(_node.Port, "_http._tcp.web.shop.svc.cluster.local SRV"));

        _api.Store.Apply("services", """{"metadata":{"name":"api","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.21"}}""");

        await UntilAsync(async () => await DigClient.ShortAsync(_node.Port, "api.shop.svc.cluster.local A") is ["10.96.0.21"]);
        var metrics = _node.Pipeline.Context.Metrics.Scrape();
        Assert.Matches("""coredns_secondary_transfers_total\{zone="cluster.local.",type="ixfr"\} [1-9]""", metrics);
        Assert.Matches("""coredns_secondary_notifies_received_total\{zone="cluster.local."\} [1-9]""", metrics);
        Assert.Contains("""coredns_secondary_zone_expired{zone="cluster.local."} 0""", metrics);
        // The answers and RCODEs the central replica gives, names that do not exist included (the authority section
        // differs as CoreDNS's secondary differs from its kubernetes plugin: the zone's NS with positive answers).
        foreach (var question in new[] { "api.shop.svc.cluster.local A", "web.shop.svc.cluster.local SRV", "_http._tcp.web.shop.svc.cluster.local SRV", "missing.shop.svc.cluster.local A", "shop.svc.cluster.local A", "cluster.local NS", "dns-version.cluster.local TXT" })
        {
            Assert.Equal(await DigClient.StatusAsync(_centralPort, question), await DigClient.StatusAsync(_node.Port, question));
            var fromNode = await DigClient.RunAsync(_node.Port, question + " +norec +noall +answer");
            var fromCentral = await DigClient.RunAsync(_centralPort, question + " +norec +noall +answer");
            Assert.Equal(Sections(fromCentral), Sections(fromNode));
        }

        // A deleted Service goes away at the node cache too.
        _api.Store.Delete("services", "shop/web");
        await UntilAsync(async () => (await DigClient.RunAsync(_node.Port, "web.shop.svc.cluster.local A")).Contains("status: NXDOMAIN", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_central_restart_does_not_take_the_zone_away_and_the_next_transfer_brings_what_changed()
    {
        await UntilAsync(async () => await DigClient.ShortAsync(_node.Port, "web.shop.svc.cluster.local A") is ["10.96.0.20"]);

        await _central!.DisposeAsync();
        _central = null;
        // Changed while no central replica runs; the node cache keeps answering its last version meanwhile.
        _api.Store.Apply("services", """{"metadata":{"name":"late","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.22"}}""");
        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(_node.Port, "web.shop.svc.cluster.local A"));
        Assert.Contains("status: NXDOMAIN", await DigClient.RunAsync(_node.Port, "late.shop.svc.cluster.local A"));

        _central = await StartCentralAsync();

        // The new replica's journal is empty: our serial is unknown to it, so its answer is the whole zone.
        await UntilAsync(async () => await DigClient.ShortAsync(_node.Port, "late.shop.svc.cluster.local A") is ["10.96.0.22"]);
        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(_node.Port, "web.shop.svc.cluster.local A"));
        Assert.Contains("""coredns_secondary_zone_expired{zone="cluster.local."} 0""", _node.Pipeline.Context.Metrics.Scrape());
    }

    /// <summary>The answer, authority and additional sections of dig's output, without the header's varying lines.</summary>
    internal static string[] Sections(string dig) =>
        dig.Split('\n')
            .Where(line => line.Length > 0 && line[0] != ';')
            .Select(line => string.Join(' ', line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)))
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(50);
        }
    }
}
