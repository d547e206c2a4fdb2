using System.Diagnostics;
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
    private readonly string _directory;
    private readonly Process _process;

    public const string NotInstalled = "knotd and kdig (Debian packages 'knot' and 'knot-dnsutils') are not installed; ./test.sh installs them";

    /// <param name="port">The port to listen on (known before the primary starts, for its NOTIFY); 0 for a free one.</param>
    public KnotSecondary(int primaryPort, int port, params string[] zones)
    {
        string knotd = ProcessRunner.FindExecutable("knotd") ?? throw new InvalidOperationException(NotInstalled);
        _directory = Directory.CreateTempSubdirectory("clusterdns-knot-secondary-").FullName;
        Directory.CreateDirectory(Path.Combine(_directory, "run"));
        Directory.CreateDirectory(Path.Combine(_directory, "storage"));
        Port = port != 0 ? port : FreePorts.Loopback();
        string zoneList = string.Concat(zones.Select(zone => $"""

              - domain: {zone}
                master: primary
                acl: notify_from_primary
                zonefile-load: none
            """));
        string config = Path.Combine(_directory, "knot.conf");
        File.WriteAllText(config, $"""
            server:
                rundir: {_directory}/run
                listen: 127.0.0.1@{Port}
            database:
                storage: {_directory}/storage
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
                storage: {_directory}/storage
            zone:{zoneList}
            """);
        // As KnotDaemon: close inherited descriptors (the build lock's) before exec.
        const string closeInheritedThenExec = "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\" 2>/dev/null; done; exec \"$0\" \"$@\"";
        var start = new ProcessStartInfo("/bin/bash", ["-c", closeInheritedThenExec, knotd, "-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("knotd did not start");
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (Log) { Log.Add(e.Data); } } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Port { get; }

    public List<string> Log { get; } = new();

    public string LogText
    {
        get
        {
            lock (Log)
            {
                return string.Join('\n', Log);
            }
        }
    }

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
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"knotd exited with {_process.ExitCode}: {LogText}");
            }
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

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // knotd may still hold a file for a moment; the temp folder is left behind.
            }
        }
    }
}
