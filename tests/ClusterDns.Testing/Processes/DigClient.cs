namespace ClusterDns.Testing.Processes;

/// <summary>
/// The real dig, bounded in time (one try of 4 s: a first TLS handshake to an upstream on a busy 2-core CI machine
/// can take more than dig's usual 2 s); a missing dig fails with a clear message (./test.sh installs it).
/// </summary>
public static class DigClient
{
    public static async Task<string> RunAsync(int port, string arguments) =>
        (await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {port} +time=4 +tries=1 {arguments}")).Output;

    /// <summary>dig +short lines, sorted.</summary>
    public static async Task<string[]> ShortAsync(int port, string arguments) =>
        (await RunAsync(port, "+short " + arguments)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();

    public static async Task<string> StatusAsync(int port, string arguments)
    {
        var output = await RunAsync(port, arguments);
        var match = System.Text.RegularExpressions.Regex.Match(output, @"status: (\w+)");
        return match.Success ? match.Groups[1].Value : "NO ANSWER";
    }
}
