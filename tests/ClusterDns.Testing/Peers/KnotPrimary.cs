using System.Globalization;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Testing.Peers;

/// <summary>
/// A real Knot DNS server (knotd) on 127.0.0.1 as the primary of one zone for a secondary on loopback: it allows the
/// secondary to transfer, sends it NOTIFY, and keeps the differences of each zone file reload in its journal, so it
/// answers IXFR incrementally. Fails, never skips, when knotd or knotc is missing: test.sh installs them.
/// </summary>
public sealed class KnotPrimary : IDisposable
{
    private readonly KnotProcess _knot;

    /// <param name="port">The port to listen on (known before the secondary starts); 0 for a free one.</param>
    public KnotPrimary(string zone, string zoneText, int secondaryPort, int port = 0)
    {
        Zone = zone;
        Port = port != 0 ? port : FreePorts.Loopback();
        _knot = new KnotProcess("clusterdns-knot-primary-", directory =>
        {
            ZoneFile = Path.Combine(directory, zone + ".zone");
            File.WriteAllText(ZoneFile, zoneText);
            return $"""
                server:
                    rundir: {directory}/run
                    listen: 127.0.0.1@{Port}
                control:
                    listen: {directory}/run/knot.sock
                database:
                    storage: {directory}/storage
                log:
                  - target: stderr
                    any: info
                remote:
                  - id: secondary
                    address: 127.0.0.1@{secondaryPort}
                acl:
                  - id: transfer_to_secondary
                    address: 127.0.0.1
                    action: transfer
                zone:
                  - domain: {zone}
                    file: {ZoneFile}
                    storage: {directory}/storage
                    notify: secondary
                    acl: transfer_to_secondary
                    zonefile-load: difference
                    journal-content: changes
                """;
        });
    }

    public string Zone { get; }

    public string ZoneFile { get; private set; } = string.Empty;

    public int Port { get; }

    public string LogText => _knot.LogText;

    /// <summary>Replaces the zone file and has knotd load it (it journals the difference and sends NOTIFY).</summary>
    public async Task ReplaceZoneAsync(string zoneText)
    {
        await File.WriteAllTextAsync(ZoneFile, zoneText);
        string knotc = ProcessRunner.FindExecutable("knotc") ?? throw new InvalidOperationException(KnotSecondary.NotInstalled);
        var result = await ProcessRunner.RunAsync(knotc, ["-c", _knot.Config, "-b", "zone-reload", Zone], timeout: TimeSpan.FromSeconds(20));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"knotc zone-reload failed: {result}\n{LogText}");
        }
    }

    /// <summary>Waits (bounded, probing every 100 ms) until knotd answers the zone's SOA.</summary>
    public async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            _knot.ThrowIfExited();
            last = (await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {Port.ToString(CultureInfo.InvariantCulture)} +norec +time=1 +retry=0 {Zone} SOA")).Output;
            if (last.Contains("status: NOERROR", StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"knotd did not serve {Zone} within {timeout}: {last}\n{LogText}");
    }

    public void Dispose() => _knot.Dispose();
}
