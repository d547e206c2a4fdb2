using ClusterDns.Protocol;
using ClusterDns.Protocol.Text;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// knotd on the upstream address of the pod network, authoritative for the root zone of testdata/internet.zone:
/// the outside world of the tests (ExternalName targets, outside names, and real NXDOMAINs for the rest).
/// </summary>
internal sealed class UpstreamServer : IAsyncDisposable
{
    private readonly NamespacedDaemon _daemon;

    private UpstreamServer(NamespacedDaemon daemon, IReadOnlyList<DnsRecord> records)
    {
        _daemon = daemon;
        Records = records;
    }

    public static string ZonePath => Path.Combine(AppContext.BaseDirectory, "testdata", "internet.zone");

    /// <summary>The records the upstream serves, read from the same zone file knotd reads.</summary>
    public IReadOnlyList<DnsRecord> Records { get; }

    public static async Task<UpstreamServer> StartAsync(PodNetwork network, string directory)
    {
        var zone = ZoneFileReader.Read(ZonePath);
        if (!zone.Succeeded)
        {
            throw new InvalidOperationException($"{ZonePath}: {zone.Error}");
        }
        Directory.CreateDirectory(Path.Combine(directory, "run"));
        Directory.CreateDirectory(Path.Combine(directory, "storage"));
        var config = Path.Combine(directory, "knot.conf");
        File.WriteAllText(config, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "knot.conf"))
            .Replace("{DIR}", directory, StringComparison.Ordinal)
            .Replace("{ADDRESS}", PodNetwork.UpstreamAddress, StringComparison.Ordinal)
            .Replace("{ZONE}", ZonePath, StringComparison.Ordinal));
        var knotd = ProcessRunner.FindExecutable("knotd") ?? throw new InvalidOperationException("knotd (Debian package 'knot') is not installed: run ./test.sh");
        var server = new UpstreamServer(network.StartDaemon(directory, knotd, "-c", config), zone.Records);
        try
        {
            await WaitUntilAnsweringAsync(network, server._daemon);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>The addresses (A and AAAA) the upstream holds for <paramref name="name"/>, as text.</summary>
    public string[] AddressesOf(string name)
    {
        var owner = DnsName.Parse(name);
        return Records
            .Where(r => r.Name.Equals(owner) && r.Type is RecordType.A or RecordType.AAAA)
            .Select(r => r.Data.ToString()!)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    private static async Task WaitUntilAnsweringAsync(PodNetwork network, NamespacedDaemon daemon)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (daemon.HasExited)
            {
                throw new InvalidOperationException("knotd exited: " + daemon.Output);
            }
            var probe = await network.ExecAsync("kdig", "@" + PodNetwork.UpstreamAddress, "+time=1", "+retry=0", ".", "SOA");
            if (probe.Output.Contains("status: NOERROR", StringComparison.Ordinal))
            {
                return;
            }
            // Poll interval while knotd binds its socket; each probe itself is bounded by kdig's timeout.
            await Task.Delay(100);
        }
        throw new TimeoutException("knotd did not answer: " + daemon.Output);
    }

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();
}
