using System.ComponentModel;
using System.Diagnostics;

namespace ClusterDns.Testing.Processes;

/// <summary>What a finished program printed, and how it exited.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}

/// <summary>
/// Runs a program (dig, kdig, kubectl, bash, …) to completion with a time bound, capturing stdout and stderr for
/// assertions and failure messages. A missing program is a clear error (./test.sh installs the test tools); a
/// program still running at the bound is killed with its children and reported with what it printed so far.
/// </summary>
public static class ProcessRunner
{
    /// <summary>The bound when a caller names none: the client tools answer in seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How long the output of a killed program is waited for before the timeout is reported without it.</summary>
    private static readonly TimeSpan OutputAfterKill = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="program"/> with a command line split on white space (no shell quoting).</summary>
    public static Task<ProcessResult> RunAsync(string program, string arguments, TimeSpan? timeout = null, string? stdin = null) =>
        RunAsync(new ProcessStartInfo(program, arguments), timeout, stdin);

    /// <summary>Runs <paramref name="program"/> with an argument vector, each argument passed as is.</summary>
    public static Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null, string? stdin = null) =>
        RunAsync(StartInfo(program, arguments, workingDirectory), timeout, stdin);

    /// <summary>Runs a prepared process (its output is captured here), bounded in time.</summary>
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo info, TimeSpan? timeout = null, string? stdin = null)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = stdin is not null;
        info.UseShellExecute = false;
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException($"'{info.FileName}' is not installed: run ./test.sh, which installs the test tools ({exception.Message})");
        }
        using (process)
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                // Bounded too: a descendant that escaped the kill may still hold the pipes open.
                await Task.WhenAny(Task.WhenAll(output, error), Task.Delay(OutputAfterKill)).ConfigureAwait(false);
                string printed = output.IsCompletedSuccessfully && error.IsCompletedSuccessfully ? $":\n{output.Result}\n{error.Result}" : " (its output did not end)";
                throw new TimeoutException($"{Describe(info)} did not finish in time{printed}");
            }
            return new ProcessResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
    }

    /// <summary>Runs like <see cref="RunAsync(string, IEnumerable{string}, string?, TimeSpan?, string?)"/>; fails with the output unless the program exited with 0.</summary>
    public static async Task<ProcessResult> RunCheckedAsync(string program, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = StartInfo(program, arguments, workingDirectory);
        var result = await RunAsync(info, timeout).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Describe(info)} exited with {result.ExitCode}: {result.Output}{result.Error}");
        }
        return result;
    }

    /// <summary>
    /// The full path of <paramref name="name"/> on PATH, or in the system folders a non-root PATH may lack
    /// (/usr/sbin holds knotd); null when it is not installed.
    /// </summary>
    public static string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(["/usr/sbin", "/sbin", "/usr/bin"])
            .Where(directory => directory.Length > 0)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Whether <paramref name="program"/> is installed (see <see cref="FindExecutable"/>).</summary>
    public static bool IsInstalled(string program) => FindExecutable(program) is not null;

    private static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, string? workingDirectory) =>
        new(program, arguments) { WorkingDirectory = workingDirectory ?? string.Empty };

    private static string Describe(ProcessStartInfo info) =>
        $"{info.FileName} {(info.ArgumentList.Count > 0 ? string.Join(' ', info.ArgumentList) : info.Arguments)}";
}
