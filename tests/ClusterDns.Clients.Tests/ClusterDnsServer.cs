using ClusterDns.Testing.Processes;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// The real executable inside the pod network on port 53, serving a copy of the demo cluster (plus the
/// large headless Service) and forwarding everything else to the upstream.
/// </summary>
internal sealed class ClusterDnsServer : IAsyncDisposable
{
    private readonly NamespacedDaemon _daemon;

    private ClusterDnsServer(NamespacedDaemon daemon) => _daemon = daemon;

    public string Output => _daemon.Output;

    /// <summary>Starts ClusterDns in <paramref name="directory"/>, where the Corefile's <c>manifests demo-cluster</c> must already be.</summary>
    public static async Task<ClusterDnsServer> StartAsync(PodNetwork network, string directory, string template = "Corefile")
    {
        var corefile = Path.Combine(directory, "Corefile");
        File.WriteAllText(corefile, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", template))
            .Replace("{ADDRESS}", PodNetwork.DnsAddress, StringComparison.Ordinal)
            .Replace("{UPSTREAM}", PodNetwork.UpstreamAddress, StringComparison.Ordinal));
        var (program, prefix) = ClusterDnsExecutable.Command();
        var server = new ClusterDnsServer(network.StartDaemon(directory, [program, .. prefix, "-conf", corefile]));
        try
        {
            await WaitUntilSyncedAsync(network, server._daemon);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Cluster names are SERVFAIL until the manifests are read: wait for a Service to answer (bounded).</summary>
    private static async Task WaitUntilSyncedAsync(PodNetwork network, NamespacedDaemon daemon)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (daemon.HasExited)
            {
                throw new InvalidOperationException("ClusterDns exited:\n" + daemon.Output);
            }
            var probe = await network.ExecAsync("dig", "@" + PodNetwork.DnsAddress, "+time=1", "+tries=1", "kubernetes.default.svc.cluster.local", "A");
            if (probe.Output.Contains("status: NOERROR", StringComparison.Ordinal))
            {
                return;
            }
            // Poll interval while the process starts; each probe itself is bounded by dig's timeout.
            await Task.Delay(100);
        }
        throw new TimeoutException("ClusterDns did not answer within 30 s:\n" + daemon.Output);
    }

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();
}
