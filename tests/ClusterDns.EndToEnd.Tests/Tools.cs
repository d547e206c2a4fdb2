using System.Diagnostics;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>Runs the real client tools (dig, kdig, …) with a time bound.</summary>
public static class Tools
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Task<Result> RunAsync(string tool, string arguments, TimeSpan? timeout = null, string? stdin = null) =>
        RunAsync(new ProcessStartInfo(tool, arguments), timeout, stdin);

    /// <summary>Runs a prepared process (output captured here), bounded in time; a missing tool is a clear error.</summary>
    public static async Task<Result> RunAsync(ProcessStartInfo info, TimeSpan? timeout = null, string? stdin = null)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = stdin is not null;
        info.UseShellExecute = false;
        string description = $"{info.FileName} {(info.ArgumentList.Count > 0 ? string.Join(' ', info.ArgumentList) : info.Arguments)}";
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"'{info.FileName}' is not installed: run ./test.sh, which installs the test tools ({exception.Message})");
        }
        using (process)
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                process.StandardInput.Close();
            }
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
                throw new TimeoutException($"{description} did not finish in time");
            }
            return new Result(process.ExitCode, await output, await error);
        }
    }

    /// <summary>dig +short lines, sorted.</summary>
    public static async Task<string[]> DigShortAsync(int port, string arguments)
    {
        var result = await RunAsync("dig", $"@127.0.0.1 -p {port} +short +time=2 +tries=1 {arguments}");
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();
    }

    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClusterDns.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root not found");
    }

    /// <summary>Copies a folder (the demo cluster) so a test may edit it.</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
