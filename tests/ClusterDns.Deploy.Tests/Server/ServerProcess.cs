using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClusterDns.Deploy.Tests;

/// <summary>
/// The real executable (clusterdns.dll beside the tests) started on a Corefile, stopped at dispose; its output is
/// kept for failure messages. Shaped after tests/ClusterDns.EndToEnd.Tests/ServerProcess.cs.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string directory)
    {
        _process = process;
        Directory = directory;
    }

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

    public static ServerProcess Start(string corefile)
    {
        var directory = Path.Combine(Path.GetTempPath(), "clusterdns-deploy-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "Corefile");
        File.WriteAllText(path, corefile);

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "clusterdns.dll"));
        info.ArgumentList.Add("-conf");
        info.ArgumentList.Add(path);
        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process, directory);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>Asks with real dig until <paramref name="until"/> holds for its output (bounded), or fails with the server's output.</summary>
    public async Task<string> DigUntilAsync(int port, string question, Func<string, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                // Without a timeout, this also waits for the redirected output to be read to its end.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"server exited with {_process.ExitCode}:\n{Output}");
            }
            // dig's own +time bound paces the loop: no sleep.
            var result = await ProcessRunner.RunAsync("dig", ["@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "+time=1", "+tries=1", .. question.Split(' ')]);
            last = result.Output;
            if (until(last))
            {
                return last;
            }
        }
        throw new TimeoutException($"no answer to '{question}' within 30 s; last:\n{last}\nserver:\n{Output}");
    }

    public static int FreePort()
    {
        // Free for both UDP and TCP on loopback.
        for (int attempt = 0; attempt < 50; attempt++)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            int port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("no free port");
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
