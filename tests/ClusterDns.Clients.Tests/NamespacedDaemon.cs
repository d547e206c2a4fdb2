using System.Diagnostics;
using System.Text;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// A long-running process (knotd, ClusterDns) inside a network namespace, its output kept for failure
/// messages, killed at dispose.
/// </summary>
internal sealed class NamespacedDaemon : IAsyncDisposable
{
    // Closes inherited descriptors above stderr before exec: the build lock's descriptor (flock) must not
    // outlive the test run in an orphaned daemon. `ip netns exec` and the shell both exec, so the process we
    // hold is the daemon itself.
    private const string CloseInheritedThenExec =
        "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\" 2>/dev/null; done; exec \"$0\" \"$@\"";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NamespacedDaemon(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The daemon's own process id (the shell and <c>ip netns exec</c> exec into it).</summary>
    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits (bounded) for the daemon to exit on its own, e.g. after a signal.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static NamespacedDaemon Start(string networkNamespace, string workingDirectory, params string[] argv)
    {
        var info = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in (string[])["netns", "exec", networkNamespace, "/bin/bash", "-c", CloseInheritedThenExec, .. argv])
        {
            info.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = info };
        var daemon = new NamespacedDaemon(process);
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        _process.Dispose();
    }
}
