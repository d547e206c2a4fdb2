using System.Security.Cryptography;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Tests.Http;

namespace ClusterDns.Server.Tests.Plugins.Reload;

/// <summary>coredns_reload_version_info{hash="sha512",value}: the running Corefile's hash, while it uses reload.</summary>
public sealed class ReloadVersionInfoTests
{
    private static string Corefile(string zoneFile, string reload = "reload") => $$"""
        example.org:0 {
            {{reload}}
            prometheus 127.0.0.1:0
            file {{zoneFile}}
        }
        """;

    private static string Sha512Of(string path) => Convert.ToHexStringLower(SHA512.HashData(File.ReadAllBytes(path)));

    private static string[] VersionLines(OperabilityHarness harness) =>
        harness.Services.Registry.Scrape().Split('\n').Where(l => l.StartsWith("coredns_reload_version_info{", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task The_running_corefile_hash_is_the_one_series_and_follows_reloads()
    {
        await using var harness = await OperabilityHarness.StartAsync(Corefile("example.org.zone"));
        string first = Sha512Of(harness.CorefilePath);

        Assert.Equal([$"coredns_reload_version_info{{hash=\"sha512\",value=\"{first}\"}} 1"], VersionLines(harness));

        harness.WriteCorefile(Corefile("example.org.v2.zone"));
        Assert.Equal(ReloadOutcome.Reloaded, await harness.Hosted.ReloadAsync(CancellationToken.None));
        string second = Sha512Of(harness.CorefilePath);

        Assert.NotEqual(first, second);
        Assert.Equal([$"coredns_reload_version_info{{hash=\"sha512\",value=\"{second}\"}} 1"], VersionLines(harness));
    }

    [Fact]
    public async Task A_failed_reload_keeps_the_running_hash()
    {
        await using var harness = await OperabilityHarness.StartAsync(Corefile("example.org.zone"));
        string running = Sha512Of(harness.CorefilePath);

        harness.WriteCorefile(Corefile("missing.zone"));
        Assert.Equal(ReloadOutcome.Failed, await harness.Hosted.ReloadAsync(CancellationToken.None));

        Assert.Equal([$"coredns_reload_version_info{{hash=\"sha512\",value=\"{running}\"}} 1"], VersionLines(harness));
    }

    [Fact]
    public async Task Without_reload_there_is_no_series()
    {
        await using var harness = await OperabilityHarness.StartAsync(Corefile("example.org.zone", reload: ""));

        Assert.Empty(VersionLines(harness));
    }
}
