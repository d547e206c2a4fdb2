using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>A bad Corefile stops the start with file:line and a reason, and a non-zero exit code.</summary>
public sealed class CorefileErrorTests
{
    [Theory]
    [InlineData(".:{PORT} {\n    errors_typo\n}\n", ":2: unknown directive 'errors_typo'")]
    [InlineData(".:{PORT} {\n    kubernetes cluster.local {\n        ttl 9000\n    }\n}\n", ":3:")]
    [InlineData(".:{PORT} {\n    kubernetes cluster.local {\n        pods sometimes\n    }\n}\n", ":3: pods must be disabled, insecure or verified")]
    [InlineData(".:{PORT} {\n    whoami\n", ":1:")]
    public async Task A_bad_corefile_names_the_line_and_exits_non_zero(string corefile, string expected)
    {
        await using var server = ServerProcess.Start(corefile);
        int exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exit);
        Assert.Contains("Corefile" + expected, server.Output);
    }
}
