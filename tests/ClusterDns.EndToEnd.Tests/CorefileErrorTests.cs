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

    [Theory]
    [InlineData(".:{PORT} {\n    errors_typo\n}\n", ":2: unknown directive 'errors_typo'")]
    [InlineData(".:{PORT} {\n    timeouts {\n        idle 0s\n    }\n}\n", ":3: timeout '0s' needs to be between 1 second and 24 hours")]
    public async Task A_bad_corefile_prints_only_the_clean_line_as_coredns_does(string corefile, string reason)
    {
        await using var server = ServerProcess.Start(corefile);
        int exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exit);
        string path = Path.Combine(server.Directory, "Corefile");
        Assert.Equal(path + reason + Environment.NewLine, server.StandardError);
        // Nor anything of the host's failure report on standard output: no "Hosting failed", no stack frame.
        Assert.DoesNotContain("Hosting failed", server.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at \S", server.Output);
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_too()
    {
        // Another process's socket holds the port (no SO_REUSEADDR): the server cannot bind it.
        using var holder = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        int port = ((System.Net.IPEndPoint)holder.Client.LocalEndPoint!).Port;
        await using var server = ServerProcess.Start(".:{PORT} {\n    bind 127.0.0.1\n    whoami\n}\n", port: port);
        int exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exit);
        var line = Assert.Single(server.StandardError.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Cannot listen: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed", server.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at \S", server.Output);
    }
}
