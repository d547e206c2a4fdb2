using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Cache;
using ClusterDns.Server.Tests.Plugins.Forward;

namespace ClusterDns.Server.Tests.Plugins.Cache;

public sealed class CacheSetupTests
{
    private static CacheOptions Parse(string text) => CacheSetup.Parse(TestDns.Directive(text), [DnsName.Root]);

    [Fact]
    public void Defaults_are_coredns_defaults()
    {
        var options = Parse("cache");
        Assert.Equal([DnsName.Root], options.Zones);
        Assert.Equal(9984, options.SuccessCapacity);
        Assert.Equal(9984, options.DenialCapacity);
        Assert.Equal(TimeSpan.FromSeconds(3600), options.SuccessMaxTtl);
        Assert.Equal(TimeSpan.FromSeconds(1800), options.DenialMaxTtl);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SuccessMinTtl);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ServFailTtl);
        Assert.Equal(0, options.PrefetchAmount);
        Assert.Equal(TimeSpan.Zero, options.ServeStale);
    }

    [Fact]
    public void Ttl_and_zones()
    {
        var options = Parse("cache 30 example.org 10.0.0.0/8");
        Assert.Equal(TimeSpan.FromSeconds(30), options.SuccessMaxTtl);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DenialMaxTtl);
        Assert.Equal([DnsName.Parse("example.org."), DnsName.Parse("10.in-addr.arpa.")], options.Zones);
    }

    [Fact]
    public void Every_option()
    {
        var options = Parse("""
            cache 30 {
                success 5000 600 10
                denial 2000 60 1
                prefetch 10 2m 20%
                serve_stale 30m verify
                servfail 2s
                disable success cluster.local
                disable denial cluster.local in-addr.arpa
                keepttl
            }
            """);
        Assert.Equal((5000, TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(10)), (options.SuccessCapacity, options.SuccessMaxTtl, options.SuccessMinTtl));
        Assert.Equal((2000, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1)), (options.DenialCapacity, options.DenialMaxTtl, options.DenialMinTtl));
        Assert.Equal((10, TimeSpan.FromMinutes(2), 20), (options.PrefetchAmount, options.PrefetchWindow, options.PrefetchPercentage));
        Assert.Equal(TimeSpan.FromMinutes(30), options.ServeStale);
        Assert.True(options.ServeStaleVerify);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ServFailTtl);
        Assert.Equal([DnsName.Parse("cluster.local.")], options.DisableSuccess);
        Assert.Equal([DnsName.Parse("cluster.local."), DnsName.Parse("in-addr.arpa.")], options.DisableDenial);
        Assert.True(options.KeepTtl);
    }

    [Fact]
    public void Serve_stale_defaults_to_one_hour_immediate()
    {
        var options = Parse("cache {\n serve_stale\n}");
        Assert.Equal(TimeSpan.FromHours(1), options.ServeStale);
        Assert.False(options.ServeStaleVerify);
    }

    [Theory]
    [InlineData("cache {\n success\n}", "'success' expects 1 to 3 arguments")]
    [InlineData("cache {\n success 0\n}", "out of range")]
    [InlineData("cache {\n prefetch 5 1m 95%\n}", "between 10% and 90%")]
    [InlineData("cache {\n prefetch 5 1m 20\n}", "is not a percentage")]
    [InlineData("cache {\n serve_stale 1h sometimes\n}", "unknown serve_stale refresh mode")]
    [InlineData("cache {\n servfail 10m\n}", "at most 5m")]
    [InlineData("cache {\n disable everything\n}", "cannot disable 'everything'")]
    [InlineData("cache {\n ttl 30\n}", "unknown property 'ttl' in 'cache'")]
    [InlineData("cache 30 not_a..zone", "not a valid zone name")]
    public void Bad_directives_are_clear_errors(string text, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse(text));
        Assert.Contains(reason, error.Message);
    }
}

public sealed class CacheMetricsTests
{
    [Fact]
    public async Task Setup_registers_coredns_cache_metrics_read_at_scrape()
    {
        var context = new ClusterDns.Server.Config.ServerBuildContext("Corefile");
        var block = new ClusterDns.Server.Config.ServerBlockBuilder(CorefileParser.Parse(". {\n}\n", "Corefile").ServerBlocks[0], [DnsName.Root], 53, context);
        new CacheSetup(new ManualTimeProvider()).Setup(TestDns.Directive("cache 30"), block);
        var cache = Assert.IsType<CacheHandler>(Assert.Single(block.Handlers));
        cache.Next = new ScriptedHandler();

        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));

        string scrape = context.Metrics.Scrape();
        Assert.Contains("coredns_cache_hits_total{server=\"dns://:53\",type=\"success\",zones=\".\",view=\"\"} 1", scrape);
        Assert.Contains("coredns_cache_misses_total{server=\"dns://:53\",zones=\".\",view=\"\"} 1", scrape);
        Assert.Contains("coredns_cache_entries{server=\"dns://:53\",type=\"success\",zones=\".\",view=\"\"} 1", scrape);
        Assert.Contains("coredns_cache_drops_total{server=\"dns://:53\",zones=\".\",view=\"\"} 0", scrape);
    }
}
