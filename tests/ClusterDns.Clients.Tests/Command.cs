using System.Diagnostics;
using ClusterDns.EndToEnd.Tests;

namespace ClusterDns.Clients.Tests;

/// <summary>Runs one program with an argument vector (no shell quoting), bounded in time.</summary>
internal static class Command
{
    public static async Task<Tools.Result> RunAsync(IReadOnlyList<string> argv, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in argv.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"'{argv[0]}' is not installed: run ./test.sh, which installs the test tools ({exception.Message})");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{string.Join(' ', argv)} did not finish in time");
            }
            return new Tools.Result(process.ExitCode, await output, await error);
        }
    }

    /// <summary>Fails with the command's output when it did not exit with 0.</summary>
    public static async Task<Tools.Result> RunCheckedAsync(params string[] argv)
    {
        var result = await RunAsync(argv);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', argv)} exited with {result.ExitCode}: {result.Output}{result.Error}");
        }
        return result;
    }
}
