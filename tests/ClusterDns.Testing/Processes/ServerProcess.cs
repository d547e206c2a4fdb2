using System.Diagnostics;
using System.Text;
using ClusterDns.Testing.Network;

namespace ClusterDns.Testing.Processes;

/// <summary>
/// The real executable (the JIT build beside the test binaries, or the native one: <see cref="ClusterDnsExecutable"/>),
/// started with a Corefile on a free port, stopped at dispose. Its output is kept for failure messages.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();

    private ServerProcess(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    /// <summary>The temporary folder holding the Corefile (and whatever the test put beside it).</summary>
    public string Directory { get; }

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

    /// <summary>What the process wrote to standard error alone (complete once it has exited).</summary>
    public string StandardError
    {
        get
        {
            lock (_output)
            {
                return _errors.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The server's process ID (for /proc: its resident memory).</summary>
    public int ProcessId => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Writes <paramref name="corefile"/> (with <c>{PORT}</c> replaced) into a fresh folder and starts the server.
    /// <paramref name="prepare"/> may add files to the folder first; <paramref name="environment"/> adds variables.
    /// </summary>
    public static ServerProcess Start(string corefile, Action<string>? prepare = null, int? port = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        int chosen = port ?? FreePorts.Loopback();
        var directory = Path.Combine(Path.GetTempPath(), "clusterdns-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        prepare?.Invoke(directory);
        var path = Path.Combine(directory, "Corefile");
        File.WriteAllText(path, corefile.Replace("{PORT}", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var info = ClusterDnsExecutable.StartInfo("-conf", path);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.WorkingDirectory = directory;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process, chosen, directory);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data, toStandardError: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private void Append(string? line, bool toStandardError = false)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
            if (toStandardError)
            {
                _errors.AppendLine(line);
            }
        }
    }

    /// <summary>Waits until the server answers <paramref name="name"/> (bounded), or fails with its output.</summary>
    public Task WaitUntilAnsweringAsync(string name = "dns-version.cluster.local", string type = "TXT") =>
        DigUntilAsync($"{name} {type}", output => output.Contains("status: NOERROR", StringComparison.Ordinal));

    /// <summary>
    /// Asks with real dig until <paramref name="until"/> holds for its output (bounded: 30 s, dig's own one-second
    /// tries pace the loop), or fails with the server's output.
    /// </summary>
    public async Task<string> DigUntilAsync(string question, Func<string, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"server exited with {_process.ExitCode}:\n{Output}");
            }
            last = (await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {Port} +time=1 +tries=1 {question}")).Output;
            if (until(last))
            {
                return last;
            }
        }
        throw new TimeoutException($"no answer to '{question}' within 30 s; last:\n{last}\nserver:\n{Output}");
    }

    /// <summary>Sends SIGTERM, as the kubelet does when the pod is deleted.</summary>
    public void Terminate()
    {
        if (kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>Waits for the process to exit by itself (bounded).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        // The token-less wait also waits for the redirected streams to reach their end (Output complete).
        await _process.WaitForExitAsync(CancellationToken.None);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
