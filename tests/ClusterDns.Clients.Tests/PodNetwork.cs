using System.Security.Cryptography;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// A network namespace of its own, shaped like a pod's network: a veth pair inside it, one end holding the
/// DNS server's address and the other the upstream's. The non-loopback address matters: with only loopback,
/// glibc's AI_ADDRCONFIG asks nothing at all. Both ends live in the one namespace, so nothing touches the
/// host's network; deleting the namespace deletes the pair.
/// </summary>
internal sealed class PodNetwork : IAsyncDisposable
{
    /// <summary>ClusterDns (the kube-dns Service address as the pod sees it) and the pod's own address.</summary>
    public const string DnsAddress = "10.53.0.2";

    /// <summary>The upstream resolver (knotd), on the peer end of the pair.</summary>
    public const string UpstreamAddress = "10.53.0.1";

    private PodNetwork(string name) => Name = name;

    public string Name { get; }

    public static async Task<PodNetwork> CreateAsync()
    {
        var network = new PodNetwork("cdns-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        await ProcessRunner.RunCheckedAsync("ip", ["netns", "add", network.Name]);
        try
        {
            await network.ExecCheckedAsync("ip", "link", "add", "veth-dns", "type", "veth", "peer", "name", "veth-upstream");
            await network.ExecCheckedAsync("ip", "addr", "add", DnsAddress + "/24", "dev", "veth-dns");
            await network.ExecCheckedAsync("ip", "addr", "add", UpstreamAddress + "/24", "dev", "veth-upstream");
            foreach (var link in (string[])["lo", "veth-dns", "veth-upstream"])
            {
                await network.ExecCheckedAsync("ip", "link", "set", link, "up");
            }
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
        return network;
    }

    /// <summary>Runs a command inside the namespace, with the host's /etc.</summary>
    public Task<ProcessResult> ExecAsync(params string[] argv) => ProcessRunner.RunAsync("ip", ["netns", "exec", Name, .. argv]);

    private Task<ProcessResult> ExecCheckedAsync(params string[] argv) => ProcessRunner.RunCheckedAsync("ip", ["netns", "exec", Name, .. argv]);

    public NamespacedDaemon StartDaemon(string workingDirectory, params string[] argv) => NamespacedDaemon.Start(Name, workingDirectory, argv);

    public async ValueTask DisposeAsync()
    {
        // The daemons are disposed (killed) by their owners first; deleting the namespace removes the veth pair.
        await ProcessRunner.RunAsync("ip", ["netns", "delete", Name]);
    }
}
