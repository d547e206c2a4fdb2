using System.Diagnostics;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests.NodeCache;

/// <summary>
/// The real executable refuses bad input before touching the node: one line naming the flag, a non-zero exit,
/// and no interface or rule set up (none of these cases gets that far).
/// </summary>
public sealed class NodeCacheStartErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-nodecache-start-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<ProcessResult> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(ProcessRunner.FindExecutable("dotnet") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (string arg in (string[])[Path.Combine(AppContext.BaseDirectory, "clusterdns.dll"), "node-cache", .. args])
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        return await ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_localip_that_is_not_an_address_is_a_usage_error_naming_the_flag()
    {
        var result = await RunAsync([], "-localip", "169.254.20,10.96.0.10", "-conf", Path.Combine(_directory, "Corefile"));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error parsing flags - -localip: invalid localip specified - \"169.254.20\" is not an IP address", result.Error);
        Assert.False(File.Exists(Path.Combine(_directory, "Corefile")));
    }

    [Fact]
    public async Task Missing_iptables_is_an_error_naming_the_flag()
    {
        File.WriteAllText(Path.Combine(_directory, "Corefile.base"), ".:53 {\n    forward . __PILLAR__UPSTREAM__SERVERS__\n}\n");

        var result = await RunAsync(new() { ["PATH"] = _directory },
            "-localip", "169.254.20.10", "-basecorefile", Path.Combine(_directory, "Corefile.base"), "-conf", Path.Combine(_directory, "Corefile"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("-setupiptables: iptables is not installed (not found on PATH)", result.Error);
    }

    [Fact]
    public async Task An_unset_upstream_service_variable_is_an_error_naming_the_flag_and_the_variable()
    {
        File.WriteAllText(Path.Combine(_directory, "Corefile.base"), ".:53 {\n    forward . __PILLAR__CLUSTER__DNS__\n}\n");

        var result = await RunAsync([], "-localip", "169.254.20.10", "-setupiptables=false", "-upstreamsvc", "kube-dns-upstream",
            "-basecorefile", Path.Combine(_directory, "Corefile.base"), "-conf", Path.Combine(_directory, "Corefile"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("-upstreamsvc: KUBE_DNS_UPSTREAM_SERVICE_HOST is not set to an IP address", result.Error);
    }
}
