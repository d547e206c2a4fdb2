using System.Diagnostics;
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
    private readonly string _directory;
    private readonly string _config;
    private readonly Process _process;

    /// <param name="port">The port to listen on (known before the secondary starts); 0 for a free one.</param>
    public KnotPrimary(string zone, string zoneText, int secondaryPort, int port = 0)
    {
        string knotd = ProcessRunner.FindExecutable("knotd") ?? throw new InvalidOperationException(KnotSecondary.NotInstalled);
        Zone = zone;
        _directory = Directory.CreateTempSubdirectory("clusterdns-knot-primary-").FullName;
        Directory.CreateDirectory(Path.Combine(_directory, "run"));
        Directory.CreateDirectory(Path.Combine(_directory, "storage"));
        ZoneFile = Path.Combine(_directory, zone + ".zone");
        File.WriteAllText(ZoneFile, zoneText);
        Port = port != 0 ? port : FreePorts.Loopback();
        _config = Path.Combine(_directory, "knot.conf");
        File.WriteAllText(_config, $"""
            server:
                rundir: {_directory}/run
                listen: 127.0.0.1@{Port}
            control:
                listen: {_directory}/run/knot.sock
            database:
                storage: {_directory}/storage
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
                storage: {_directory}/storage
                notify: secondary
                acl: transfer_to_secondary
                zonefile-load: difference
                journal-content: changes
            """);
        // As KnotDaemon: close inherited descriptors (the build lock's) before exec.
        const string closeInheritedThenExec = "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\" 2>/dev/null; done; exec \"$0\" \"$@\"";
        var start = new ProcessStartInfo("/bin/bash", ["-c", closeInheritedThenExec, knotd, "-c", _config])
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

    public string Zone { get; }

    public string ZoneFile { get; }

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

    /// <summary>Replaces the zone file and has knotd load it (it journals the difference and sends NOTIFY).</summary>
    public async Task ReplaceZoneAsync(string zoneText)
    {
        await File.WriteAllTextAsync(ZoneFile, zoneText);
        string knotc = ProcessRunner.FindExecutable("knotc") ?? throw new InvalidOperationException(KnotSecondary.NotInstalled);
        var result = await ProcessRunner.RunAsync(knotc, ["-c", _config, "-b", "zone-reload", Zone], timeout: TimeSpan.FromSeconds(20));
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
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"knotd exited with {_process.ExitCode}: {LogText}");
            }
            last = (await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {Port.ToString(CultureInfo.InvariantCulture)} +norec +time=1 +retry=0 {Zone} SOA")).Output;
            if (last.Contains("status: NOERROR", StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"knotd did not serve {Zone} within {timeout}: {last}\n{LogText}");
    }

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
