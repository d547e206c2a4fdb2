using System.Diagnostics;

namespace ClusterDns.Testing.Peers;

/// <summary>
/// One knotd run in a temporary folder of its own (a <c>run</c> and a <c>storage</c> folder), its stderr kept as the
/// log; disposing kills it and removes the folder. The secondary and primary peers configure it.
/// </summary>
internal sealed class KnotProcess : IDisposable
{
    private readonly Process _process;

    /// <param name="writeConfig">Writes knot.conf's text for the folder given.</param>
    public KnotProcess(string folderPrefix, Func<string, string> writeConfig)
    {
        string knotd = Processes.ProcessRunner.FindExecutable("knotd") ?? throw new InvalidOperationException(KnotSecondary.NotInstalled);
        Directory = System.IO.Directory.CreateTempSubdirectory(folderPrefix).FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "run"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "storage"));
        Config = Path.Combine(Directory, "knot.conf");
        File.WriteAllText(Config, writeConfig(Directory));
        // As KnotDaemon: close inherited descriptors (the build lock's) before exec.
        const string closeInheritedThenExec = "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\" 2>/dev/null; done; exec \"$0\" \"$@\"";
        var start = new ProcessStartInfo("/bin/bash", ["-c", closeInheritedThenExec, knotd, "-c", Config])
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

    public string Directory { get; }

    public string Config { get; }

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

    /// <summary>Throws with the log when knotd has exited.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"knotd exited with {_process.ExitCode}: {LogText}");
        }
    }

    public void Dispose() => PeerShutdown.KillAndRemove(_process, Directory);
}
