namespace ClusterDns.Clients.Tests;

/// <summary>
/// SIGTERM (what the kubelet sends) takes everything node-cache added away again: the interface and each rule.
/// The node here uses iptables-legacy, so both iptables backends are exercised (the other tests use iptables-nft).
/// </summary>
[Collection(PodNetworkCollection.Name)]
public sealed class NodeCacheTeardownTests : IClassFixture<NodeCacheLegacyIptablesEnvironment>
{
    private readonly NodeCacheLegacyIptablesEnvironment _env;

    public NodeCacheTeardownTests(NodeCacheLegacyIptablesEnvironment env) => _env = env;

    [Fact]
    public async Task Sigterm_removes_the_interface_and_every_rule()
    {
        Assert.Contains($"-d {NodeCacheEnvironment.LocalAddress}/32 -p udp -m udp --dport 53 -j NOTRACK", await _env.IptablesAsync("raw"));
        Assert.Contains($"-d {NodeCacheEnvironment.ClusterIP}/32 -p tcp -m tcp --dport 53 -j ACCEPT", await _env.IptablesAsync("filter"));

        await _env.ExecCheckedAsync("kill", "-TERM", _env.NodeCache.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(await _env.NodeCache.WaitForExitAsync(TimeSpan.FromSeconds(30)), "node-cache did not exit within 30 s of SIGTERM:\n" + _env.NodeCache.Output);
        Assert.True(_env.NodeCache.ExitCode == 0, $"exit code {_env.NodeCache.ExitCode}:\n{_env.NodeCache.Output}");
        var links = await _env.ExecCheckedAsync("ip", "-o", "link", "show");
        Assert.DoesNotContain(NodeCacheEnvironment.InterfaceName, links.Output);
        Assert.DoesNotContain("-A ", await _env.IptablesAsync("raw"));
        Assert.DoesNotContain("-A ", await _env.IptablesAsync("filter"));
    }
}
