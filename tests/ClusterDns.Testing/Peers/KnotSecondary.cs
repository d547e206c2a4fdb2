using System.Globalization;
using System.Text.RegularExpressions;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Testing.Peers;

/// <summary>
/// A real Knot DNS server (knotd) on 127.0.0.1 as a secondary: it transfers its zones from a primary on loopback
/// (AXFR, then IXFR with fallback), accepts the primary's NOTIFY, and answers from what it transferred. Fails, never
/// skips, when knotd is missing: test.sh installs it.
/// </summary>
public sealed partial class KnotSecondary : IDisposable
{
    private readonly KnotProcess _knot;

    public const string NotInstalled = "knotd and kdig (Debian packages 'knot' and 'knot-dnsutils') are not installed; ./test.sh installs them";

    /// <param name="port">The port to listen on (known before the primary starts, for its NOTIFY); 0 for a free one.</param>
    public KnotSecondary(int primaryPort, int port, params string[] zones)
    {
        Port = port != 0 ? port : FreePorts.Loopback();
        string zoneList = string.Concat(zones.Select(zone => $"""

              - domain: {zone}
                master: primary
                acl: notify_from_primary
                zonefile-load: none
            """));
        _knot = new KnotProcess("clusterdns-knot-secondary-", directory => $"""
            server:
                rundir: {directory}/run
                listen: 127.0.0.1@{Port}
            database:
                storage: {directory}/storage
            log:
              - target: stderr
                any: info
            remote:
              - id: primary
                address: 127.0.0.1@{primaryPort}
            acl:
              - id: notify_from_primary
                address: 127.0.0.1
                action: notify
            template:
              - id: default
                storage: {directory}/storage
            zone:{zoneList}
            """);
    }

    public int Port { get; }

    public string LogText => _knot.LogText;

    /// <summary>kdig against the secondary, no recursion; the output.</summary>
    public async Task<string> DigAsync(string arguments) =>
        (await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {Port.ToString(CultureInfo.InvariantCulture)} +norec +time=1 +retry=0 {arguments}")).Output;

    /// <summary>
    /// Waits until the secondary serves <paramref name="zone"/> with a serial accepted by <paramref name="accept"/>;
    /// bounded by <paramref name="timeout"/>, probing every 100 ms (the condition is the secondary's own answer).
    /// </summary>
    public Task<uint> WaitForSerialAsync(string zone, Func<uint, bool> accept, TimeSpan timeout) =>
        WaitForSerialAsync(zone, serial => Task.FromResult(accept(serial)), timeout);

    /// <summary>As above, with a check that may ask elsewhere (the primary's serial now).</summary>
    public async Task<uint> WaitForSerialAsync(string zone, Func<uint, Task<bool>> accept, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            _knot.ThrowIfExited();
            last = await DigAsync($"{zone} SOA");
            var match = SoaSerial().Match(last);
            if (last.Contains("status: NOERROR", StringComparison.Ordinal) && match.Success
                && uint.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out uint serial) && await accept(serial))
            {
                return serial;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"knotd did not serve {zone} as expected within {timeout}: {last}\n{LogText}");
    }

    [GeneratedRegex(@"\tSOA\t\S+ \S+ (\d+) ")]
    private static partial Regex SoaSerial();

    public void Dispose() => _knot.Dispose();
}
