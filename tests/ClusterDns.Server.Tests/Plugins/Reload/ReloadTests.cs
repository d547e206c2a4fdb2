using System.Diagnostics;
using ClusterDns.Protocol;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Tests.Http;

namespace ClusterDns.Server.Tests.Plugins.Reload;

public sealed class ReloadTests
{
    private static string Corefile(string zoneFile, string reload = "reload") => $$"""
        example.org:0 {
            {{reload}}
            prometheus 127.0.0.1:0
            file {{zoneFile}}
        }
        """;

    [Fact]
    public async Task Three_reloads_under_continuous_queries_lose_none()
    {
        await using var harness = await OperabilityHarness.StartAsync(Corefile("example.org.zone"));
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 2).Select(_ => Task.Run(() => QueryContinuouslyAsync(harness, stop.Token))).ToArray();

        var zones = new[] { "example.org.v2.zone", "example.org.zone", "example.org.v2.zone" };
        foreach (var zone in zones)
        {
            harness.WriteCorefile(Corefile(zone));
            Assert.Equal(ReloadOutcome.Reloaded, await harness.Hosted.ReloadAsync(CancellationToken.None));
            var expected = zone == "example.org.zone" ? 3 : 1;
            Assert.Equal(expected, (await harness.QueryAsync("www.example.org", RecordType.A)).Answers.Count);
        }
        await Task.Delay(200); // let the clients run on the last pipeline too
        await stop.CancelAsync();
        var results = await Task.WhenAll(clients);

        int sent = results.Sum(r => r.Sent);
        int answered = results.Sum(r => r.Answered);
        Assert.True(sent > 20, $"only {sent} queries were sent");
        Assert.Equal(sent, answered);
        // Every query was counted, across pipelines, in the one registry that outlives reloads.
        var text = harness.Services.Registry.Scrape();
        var requests = text.Split('\n').Where(l => l.StartsWith("coredns_dns_requests_total{", StringComparison.Ordinal)).Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..]));
        Assert.Equal(answered + zones.Length, requests);
    }

    [Fact]
    public async Task An_invalid_corefile_keeps_the_old_pipeline_and_is_counted_once()
    {
        await using var harness = await OperabilityHarness.StartAsync(Corefile("example.org.zone"));
        var before = harness.Hosted.Server.Pipeline;

        harness.WriteCorefile(Corefile("example.org.v2.zone").Replace("prometheus", "no_such_plugin"));
        Assert.Equal(ReloadOutcome.Failed, await harness.Hosted.ReloadAsync(CancellationToken.None));
        Assert.Equal(ReloadOutcome.Unchanged, await harness.Hosted.ReloadAsync(CancellationToken.None));
        Assert.Equal(1, harness.Services.ReloadFailed.Value);
        Assert.Same(before, harness.Hosted.Server.Pipeline);
        Assert.Equal(3, (await harness.QueryAsync("www.example.org", RecordType.A)).Answers.Count);

        // A syntax error (unclosed block) and a missing zone file fail the same way.
        harness.WriteCorefile("example.org:0 {\n    file example.org.zone\n");
        Assert.Equal(ReloadOutcome.Failed, await harness.Hosted.ReloadAsync(CancellationToken.None));
        harness.WriteCorefile(Corefile("missing.zone"));
        Assert.Equal(ReloadOutcome.Failed, await harness.Hosted.ReloadAsync(CancellationToken.None));
        Assert.Equal(3, harness.Services.ReloadFailed.Value);
        Assert.Contains("coredns_reload_failed_total 3\n", harness.Services.Registry.Scrape());
        Assert.Equal(3, (await harness.QueryAsync("www.example.org", RecordType.A)).Answers.Count);

        harness.WriteCorefile(Corefile("example.org.v2.zone"));
        Assert.Equal(ReloadOutcome.Reloaded, await harness.Hosted.ReloadAsync(CancellationToken.None));
        var answer = Assert.Single((await harness.QueryAsync("www.example.org", RecordType.A)).Answers);
        Assert.Equal("198.51.100.1", ((AData)answer.Data).Address.ToString());
    }

    [Fact]
    public async Task A_configmap_style_symlink_swap_is_seen()
    {
        // Kubelet's layout: Corefile -> ..data/Corefile, ..data -> ..<timestamp>/; an update swaps ..data.
        var directory = OperabilityHarness.CreateDirectory(Corefile("example.org.zone"));
        File.Delete(Path.Combine(directory, "Corefile"));
        Directory.CreateDirectory(Path.Combine(directory, "..v1"));
        Directory.CreateDirectory(Path.Combine(directory, "..v2"));
        File.WriteAllText(Path.Combine(directory, "..v1", "Corefile"), Corefile("example.org.zone"));
        File.WriteAllText(Path.Combine(directory, "..v2", "Corefile"), Corefile("example.org.v2.zone"));
        Directory.CreateSymbolicLink(Path.Combine(directory, "..data"), "..v1");
        File.CreateSymbolicLink(Path.Combine(directory, "Corefile"), "..data/Corefile");
        await using var harness = await OperabilityHarness.StartInAsync(directory);
        Assert.Equal(3, (await harness.QueryAsync("www.example.org", RecordType.A)).Answers.Count);

        // Kubelet renames a new link over ..data atomically; re-pointing the link is the same to a reader of the path.
        Directory.Delete(Path.Combine(directory, "..data"));
        Directory.CreateSymbolicLink(Path.Combine(directory, "..data"), "..v2");

        Assert.Equal(ReloadOutcome.Reloaded, await harness.Hosted.ReloadAsync(CancellationToken.None));
        Assert.Single((await harness.QueryAsync("www.example.org", RecordType.A)).Answers);
    }

    [Fact]
    public async Task An_unchanged_corefile_is_not_reloaded()
    {
        await using var harness = await OperabilityHarness.StartAsync(Corefile("example.org.zone"));
        var before = harness.Hosted.Server.Pipeline;

        harness.WriteCorefile(Corefile("example.org.zone"));

        Assert.Equal(ReloadOutcome.Unchanged, await harness.Hosted.ReloadAsync(CancellationToken.None));
        Assert.Same(before, harness.Hosted.Server.Pipeline);
    }

    [Fact]
    public async Task The_reload_loop_picks_up_a_change_on_its_schedule()
    {
        await using var harness = await OperabilityHarness.StartAsync(Corefile("example.org.zone", "reload 2s 1s"));
        var clock = Stopwatch.StartNew();

        harness.WriteCorefile(Corefile("example.org.v2.zone", "reload 2s 1s"));

        // The loop waits 1–3 s, then swaps; poll the answer until it changes.
        while ((await harness.QueryAsync("www.example.org", RecordType.A)).Answers.Count != 1)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the reload loop did not reload within 10 s");
            await Task.Delay(100);
        }
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"reloaded after {clock.Elapsed}, sooner than interval − jitter");
    }

    [Fact]
    public async Task Without_reload_the_loop_does_not_run()
    {
        const string corefile = "example.org:0 {\n    file example.org.zone\n}\n";
        await using var harness = await OperabilityHarness.StartAsync(corefile);

        await harness.Hosted.ReloadLoop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(harness.Hosted.ReloadLoop.IsCompletedSuccessfully);
    }

    private static async Task<(int Sent, int Answered)> QueryContinuouslyAsync(OperabilityHarness harness, CancellationToken stop)
    {
        int sent = 0;
        int answered = 0;
        while (!stop.IsCancellationRequested)
        {
            sent++;
            try
            {
                var response = await harness.QueryAsync("www.example.org", RecordType.A);
                if (response.Rcode == ResponseCode.NoError && response.Answers.Count > 0)
                {
                    answered++;
                }
            }
            catch (OperationCanceledException)
            {
                // Timed out: lost. Counted by sent − answered.
            }
        }
        return (sent, answered);
    }
}
