using System.Diagnostics;

namespace ClusterDns.Server.Tests.Metrics;

/// <summary>Runs the real <c>promtool check metrics</c>; a missing promtool fails with a clear message (./test.sh installs the Debian package prometheus).</summary>
internal static class Promtool
{
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var info = new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("promtool is not installed: run ./test.sh or `apt-get install -y prometheus`. " + exception.Message);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(exposition);
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
