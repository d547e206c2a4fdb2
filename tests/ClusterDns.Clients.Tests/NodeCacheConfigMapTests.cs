namespace ClusterDns.Clients.Tests;

/// <summary>
/// The kube-dns ConfigMap folder (-kubednscm) as the kubelet updates it: a stub domain added is rendered into the
/// Corefile and served after the reload; a malformed stubDomains file is reported naming the file and counted,
/// and the last good configuration keeps serving.
/// </summary>
[Collection(PodNetworkCollection.Name)]
public sealed class NodeCacheConfigMapTests : IClassFixture<NodeCacheFastReloadEnvironment>
{
    /// <summary>node-cache's ConfigMap period (10 s), the Corefile's `reload 2s` with its 1 s jitter, and slack.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(25);

    private readonly NodeCacheFastReloadEnvironment _env;
    private int _probes;

    public NodeCacheConfigMapTests(NodeCacheFastReloadEnvironment env) => _env = env;

    [Fact]
    public async Task A_stub_domain_is_served_after_the_change_and_survives_a_malformed_update()
    {
        // Before: acme.local goes where every outside name goes, the node's upstream (knotd), not the central server.
        Assert.False(await ReachesCentralAsync(), "acme.local reached the central server before the stub domain existed");

        File.WriteAllText(Path.Combine(_env.KubeDnsFolder, "stubDomains"), $$"""{"acme.local": ["{{PodNetwork.DnsAddress}}"]}""");
        await UntilAsync(ReachesCentralAsync, "the stub domain acme.local was not served");

        File.WriteAllText(Path.Combine(_env.KubeDnsFolder, "stubDomains"), """{"acme.local": [""");
        await UntilAsync(() => Task.FromResult(_env.NodeCache.Output.Contains(Path.Combine(_env.KubeDnsFolder, "stubDomains") + ": not JSON", StringComparison.Ordinal)),
            "the malformed stubDomains file was not reported");

        Assert.True(await ReachesCentralAsync(), "the last good configuration (the stub domain) stopped serving:\n" + _env.NodeCache.Output);
        Assert.Contains("coredns_nodecache_setup_errors_total{errortype=\"configmap\"} 1", await _env.NodeCacheMetricsAsync());
    }

    /// <summary>
    /// Asks a fresh name below acme.local (never cached) and says whether the central server logged it. The log is
    /// written off the query path, so its line may follow the answer by a moment: it is awaited briefly.
    /// </summary>
    private async Task<bool> ReachesCentralAsync()
    {
        string name = $"probe{++_probes}.acme.local";
        await _env.Network.ExecAsync("dig", "@" + NodeCacheEnvironment.LocalAddress, "+time=2", "+tries=1", name, "A");
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (!_env.Central.Output.Contains($"\"A IN {name}. ", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(50);
        }
        return true;
    }

    private async Task UntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{failure} within {Bound}:\n{_env.NodeCache.Output}");
            // Poll interval; the bound is node-cache's own period plus the reload's.
            await Task.Delay(250);
        }
    }
}
