using System.Diagnostics;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// <c>clusterdns node-cache</c> (the real executable) on a node made by the test: it adopts the interface and puts
/// both local addresses on it, installs node-cache's iptables rules, answers glibc, musl and busybox clients whose
/// resolv.conf names 169.254.20.10, forwards cluster names over TCP to the central ClusterDns, and puts back a
/// deleted rule within one sync interval.
/// </summary>
[Collection(PodNetworkCollection.Name)]
public sealed class NodeCacheTests : IClassFixture<NodeCacheEnvironment>, IClassFixture<MuslProbe>
{
    private const string Local = NodeCacheEnvironment.LocalAddress;
    private const string ClusterIP = NodeCacheEnvironment.ClusterIP;

    private readonly NodeCacheEnvironment _env;
    private readonly MuslProbe _musl;

    public NodeCacheTests(NodeCacheEnvironment env, MuslProbe musl)
    {
        _env = env;
        _musl = musl;
    }

    [Fact]
    public async Task The_interface_holds_both_local_addresses()
    {
        var link = await _env.ExecCheckedAsync("ip", "-o", "addr", "show", "dev", NodeCacheEnvironment.InterfaceName);

        Assert.Contains($"inet {Local}/32", link.Output);
        Assert.Contains($"inet {ClusterIP}/32", link.Output);
    }

    [Theory]
    [InlineData(Local)]
    [InlineData(ClusterIP)]
    public async Task Node_caches_raw_and_filter_rules_are_in_place_for_each_address(string address)
    {
        var raw = await _env.IptablesAsync("raw");
        var filter = await _env.IptablesAsync("filter");

        Assert.All(NodeCacheEnvironment.ExpectedRawRules(address), rule => Assert.Contains(rule, raw));
        Assert.All(NodeCacheEnvironment.ExpectedFilterRules(address), rule => Assert.Contains(rule, filter));
    }

    [Theory]
    [InlineData(Local)]
    [InlineData(ClusterIP)]
    public async Task Both_local_addresses_answer_cluster_and_outside_names(string address)
    {
        var cluster = await _env.Network.ExecAsync("dig", "@" + address, "+short", "+time=2", "+tries=1", "web-service.default.svc.cluster.local", "A");
        var outside = await _env.Network.ExecAsync("dig", "@" + address, "+time=2", "+tries=1", PodNames.OutsideName + ".", "A");

        Assert.Equal(_env.Cluster.IPv4AddressesOf("default", "web-service"), ClientOutput.Short(cluster.Output));
        Assert.Contains("status: NOERROR", outside.Output);
    }

    [Fact]
    public async Task Glibc_resolves_a_short_name_through_the_node_cache()
    {
        var result = await _env.Pod.RunAsync("getent", "ahosts", "web-service");

        Assert.True(result.ExitCode == 0, $"getent exited with {result.ExitCode}: {result.Output}{result.Error}");
        var (addresses, canonical) = ClientOutput.GetentAhosts(result.Output);
        Assert.Equal(_env.Cluster.AddressesOf("default", "web-service"), addresses);
        Assert.Equal(DemoCluster.FullName("default", "web-service"), canonical);
    }

    [Fact]
    public async Task Musl_resolves_a_namespaced_name_through_the_node_cache()
    {
        var result = await _env.Pod.RunAsync(_musl.Path, "backend-api.production");

        var (addresses, canonical, error) = ClientOutput.MuslProbe(result.Output);
        Assert.Null(error);
        Assert.Equal(_env.Cluster.AddressesOf("production", "backend-api"), addresses);
        Assert.Equal(DemoCluster.FullName("production", "backend-api"), canonical);
    }

    [Fact]
    public async Task Busybox_resolves_a_full_name_through_the_node_cache()
    {
        var result = await _env.Pod.RunAsync("busybox", "nslookup", "dual-stack-service.default.svc.cluster.local");

        var addresses = ClientOutput.BusyboxAnswers(result.Output).Select(a => a.Address).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(_env.Cluster.AddressesOf("default", "dual-stack-service"), addresses);
    }

    [Fact]
    public async Task Cluster_names_are_forwarded_to_the_central_server_over_tcp()
    {
        // A name no other test asks, so the node cache has not cached it.
        const string name = "headless-service.default.svc.cluster.local";

        var result = await _env.Network.ExecAsync("dig", "@" + Local, "+short", "+time=2", "+tries=1", name, "A");

        Assert.Equal(_env.Cluster.IPv4AddressesOf("default", "headless-service"), ClientOutput.Short(result.Output));
        // The central server's query log (CoreDNS's common format) names the transport of each query; the log is
        // written off the query path, so its line may follow the answer by a moment.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string[] lines = [];
        while (lines.Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the central server logged no query for " + name + ":\n" + _env.Central.Output);
            lines = _env.Central.Output.Split('\n').Where(l => l.Contains($"\"A IN {name}. ", StringComparison.Ordinal)).ToArray();
            if (lines.Length == 0)
            {
                // Poll interval; the bound is the deadline above.
                await Task.Delay(50);
            }
        }
        Assert.All(lines, l => Assert.Contains($"\"A IN {name}. tcp ", l));
    }

    [Fact]
    public async Task A_deleted_rule_is_put_back_within_one_sync_interval()
    {
        string[] rule = ["-t", "raw", "-D", "PREROUTING", "-p", "udp", "-d", Local, "--dport", "53", "-j", "NOTRACK"];
        string listed = $"-A PREROUTING -d {Local}/32 -p udp -m udp --dport 53 -j NOTRACK";
        await _env.ExecCheckedAsync(["iptables", .. rule]);
        var deleted = Stopwatch.StartNew();
        Assert.DoesNotContain(listed, await _env.IptablesAsync("raw"));

        // One interval, plus the time one pass of iptables calls takes on a loaded machine.
        var bound = NodeCacheEnvironment.SyncInterval + TimeSpan.FromSeconds(3);
        while (!(await _env.IptablesAsync("raw")).Contains(listed, StringComparison.Ordinal))
        {
            Assert.True(deleted.Elapsed < bound, $"the rule was not back after {deleted.Elapsed}:\n{_env.NodeCache.Output}");
            // Poll interval; the bound above is what the test asserts.
            await Task.Delay(100);
        }
        Assert.Contains("Added back nodelocaldns rule - -t raw PREROUTING -p udp -d 169.254.20.10 --dport 53 -j NOTRACK", _env.NodeCache.Output);
    }
}
