using ClusterDns.Server.Plugins.Transfer;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Secondary;

/// <summary>
/// Node caches are not known by address when the central Corefile is written: <c>transfer { to NETWORK }</c> lets
/// them transfer, and (our extension) remembers each one that did, so it gets the NOTIFY of the next change too.
/// </summary>
public sealed class SubscriberNotifyTests
{
    [Fact]
    public async Task A_node_cache_that_transferred_through_a_network_rule_is_notified_of_the_next_change()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Store.Apply("namespaces", """{"metadata":{"name":"shop"}}""");
        api.Store.Apply("services", """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.20"}}""");
        int centralPort = FreePorts.Loopback();
        await using var central = await CorefileServer.StartAsync($$"""
            cluster.local:{{centralPort}} {
                bind 127.0.0.1
                kubernetes cluster.local {
                    kubeconfig kubeconfig
                }
                transfer {
                    to 127.0.0.0/8
                }
            }
            """, new Dictionary<string, string> { ["kubeconfig"] = api.KubeConfig() });
        await central.ClusterSyncedAsync();
        await using var node = await CorefileServer.StartAsync($$"""
            cluster.local:{PORT} {
                bind 127.0.0.1
                secondary {
                    transfer from 127.0.0.1:{{centralPort}}
                }
            }
            """);
        await UntilAsync(async () => await DigClient.ShortAsync(node.Port, "web.shop.svc.cluster.local A") is ["10.96.0.20"]);
        var subscribers = central.Pipeline.Components.OfType<TransferNotifier>().Single().Subscribers;
        Assert.Equal(1, subscribers.Count);
        // The node listens on a test port, not 53.
        subscribers.NotifyPort = node.Port;

        api.Store.Apply("services", """{"metadata":{"name":"api","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.21"}}""");

        // Well before the SOA refresh (2 h): only the NOTIFY can have brought it.
        await UntilAsync(async () => await DigClient.ShortAsync(node.Port, "api.shop.svc.cluster.local A") is ["10.96.0.21"]);
        Assert.Matches("""coredns_secondary_notifies_received_total\{zone="cluster.local."\} [1-9]""", node.Pipeline.Context.Metrics.Scrape());
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(50);
        }
    }
}
