using ClusterDns.Testing.Processes;


namespace ClusterDns.Server.Tests.Telemetry;

/// <summary>Runs the real <c>promtool check metrics</c>; a missing promtool fails with a clear message (./test.sh installs the Debian package prometheus).</summary>
internal static class Promtool
{
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var result = await ProcessRunner.RunAsync("promtool", "check metrics", TimeSpan.FromSeconds(30), stdin: exposition);
        return (result.ExitCode, result.Output + result.Error);
    }
}
