using System.Diagnostics;
using System.Net;
using ClusterDns.Testing.Files;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Testing.Peers;

/// <summary>
/// A real Knot DNS server (knotd) on 127.0.0.1 serving the sample zone, for answer comparison. Fails, never
/// skips, when knotd is missing: test.sh installs it.
/// </summary>
public sealed class KnotDaemon : IDisposable
{
    private readonly string _directory;
    private readonly Process _process;

    public KnotDaemon()
    {
        string knotd = ProcessRunner.FindExecutable("knotd")
            ?? throw new InvalidOperationException("knotd (Debian package 'knot') is not installed; the Knot comparison tests need it (apt-get install knot knot-dnsutils).");
        string kdig = ProcessRunner.FindExecutable("kdig")
            ?? throw new InvalidOperationException("kdig (Debian package 'knot-dnsutils') is not installed; it is needed to wait for knotd.");
        ZonePath = RepositoryPaths.SampleZone;
        _directory = Directory.CreateTempSubdirectory("clusterdns-knot-").FullName;
        Directory.CreateDirectory(Path.Combine(_directory, "run"));
        Directory.CreateDirectory(Path.Combine(_directory, "storage"));
        Port = FreePorts.Loopback();
        string config = Path.Combine(_directory, "knot.conf");
        File.WriteAllText(config, $"""
            server:
                rundir: {_directory}/run
                listen: 127.0.0.1@{Port}
            database:
                storage: {_directory}/storage
            log:
              - target: stderr
                any: warning
            zone:
              - domain: example.org
                file: {ZonePath}
                storage: {_directory}/storage
            """);
        // Through a shell that closes inherited descriptors above stderr first: the build lock's descriptor
        // (flock) must not outlive the test run in an orphaned knotd.
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
        try
        {
            WaitUntilAnswering(kdig);
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor threw.
            Dispose();
            throw;
        }
    }

    public int Port { get; }

    public string ZonePath { get; }

    public List<string> Log { get; } = new();

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    private void WaitUntilAnswering(string kdig)
    {
        // Bounded: 50 probes, each bounded by kdig's own 1 s timeout (and the runner's 10 s).
        for (int attempt = 0; attempt < 50; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"knotd exited with {_process.ExitCode}: {string.Join('\n', Log)}");
            }
            // Blocking is safe here: the runner's continuations do not need the caller's context.
            string output = ProcessRunner.RunAsync(kdig, ["@127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+norec", "+time=1", "+retry=0", "example.org.", "SOA"], timeout: TimeSpan.FromSeconds(10))
                .GetAwaiter().GetResult().Output;
            if (output.Contains("status: NOERROR", StringComparison.Ordinal) && output.Contains("SOA", StringComparison.Ordinal))
            {
                return;
            }
            _process.WaitForExit(100);
        }
        throw new InvalidOperationException($"knotd did not answer on 127.0.0.1:{Port}: {string.Join('\n', Log)}");
    }

    public void Dispose() => PeerShutdown.KillAndRemove(_process, _directory);
}
