using ClusterDns.Server.Plugins.Prometheus;
using ClusterDns.Server.Telemetry;
using Prometheus;

namespace ClusterDns.Server.Tests.Telemetry;

/// <summary>
/// What the server relies on from prometheus-net through <see cref="MetricsRegistry"/>: one collector per name
/// whoever creates it, CoreDNS's bucket layout in the exposition, updates that allocate nothing.
/// </summary>
public sealed class MetricsRegistryTests
{
    [Fact]
    public void Creating_a_name_again_returns_the_same_collector_and_series()
    {
        var registry = new MetricsRegistry();
        var first = registry.Counter("test_total", "t", "zone");
        var second = registry.Counter("test_total", "t", "zone");
        first.WithLabels("a").Inc();
        second.WithLabels("a").Inc();

        Assert.Same(first, second);
        Assert.Equal(2, first.WithLabels("a").Value);
        Assert.Contains("test_total{zone=\"a\"} 2\n", registry.Scrape());
    }

    [Fact]
    public void Registries_do_not_share_counts()
    {
        var one = new MetricsRegistry();
        var two = new MetricsRegistry();
        one.Counter("test_total", "t").NoLabels().Inc();

        Assert.Equal(0, two.Counter("test_total", "t").NoLabels().Value);
    }

    [Fact]
    public void Coredns_duration_buckets_render_as_coredns_writes_them()
    {
        var registry = new MetricsRegistry();
        registry.Histogram("test_seconds", "d", DnsMetricNames.DurationBuckets, "server").WithLabels("dns://:53").Observe(0.0003);

        var text = registry.Scrape();

        string[] expected = ["0.00025", "0.0005", "0.001", "0.002", "0.004", "0.008", "0.016", "0.032", "0.064", "0.128", "0.256", "0.512", "1.024", "2.048", "4.096", "8.192", "+Inf"];
        var les = text.Split('\n').Where(l => l.StartsWith("test_seconds_bucket{", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("le=\"", StringComparison.Ordinal) + 4)..l.LastIndexOf('"')]).ToArray();
        Assert.Equal(expected, les);
        Assert.Contains("test_seconds_bucket{server=\"dns://:53\",le=\"0.0005\"} 1\n", text);
        Assert.Contains("test_seconds_count{server=\"dns://:53\"} 1\n", text);
    }

    [Fact]
    public void Coredns_size_buckets_render_as_coredns_writes_them()
    {
        var registry = new MetricsRegistry();
        var histogram = registry.Histogram("test_bytes", "s", DnsMetricNames.SizeBuckets, "proto").WithLabels("udp");
        foreach (var size in new[] { 0.0, 100, 512, 8291, 70000 })
        {
            histogram.Observe(size);
        }

        var text = registry.Scrape();

        // Cumulative counts at some of CoreDNS's bounds (Go writes 16e3 as 16000).
        (string Le, int Count)[] expected = [("0", 1), ("100", 2), ("511", 2), ("1023", 3), ("8291", 4), ("16000", 4), ("64000", 4), ("+Inf", 5)];
        foreach (var (le, count) in expected)
        {
            Assert.Contains($"test_bytes_bucket{{proto=\"udp\",le=\"{le}\"}} {count}\n", text);
        }
        Assert.Contains("test_bytes_sum{proto=\"udp\"} 78903\n", text);
    }

    [Fact]
    public void Updating_a_series_allocates_nothing()
    {
        var registry = new MetricsRegistry();
        var counter = registry.Counter("test_total", "t", "a").WithLabels("x");
        var gauge = registry.Gauge("test_gauge", "g").NoLabels();
        var histogram = registry.Histogram("test_hist", "h", DnsMetricNames.DurationBuckets).NoLabels();
        counter.Inc();
        gauge.Inc();
        histogram.Observe(3);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            counter.Inc();
            gauge.Inc();
            histogram.Observe(i / 1000.0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Removing_every_series_drops_them_from_the_exposition()
    {
        var registry = new MetricsRegistry();
        var gauge = registry.Gauge("test_enabled", "e", "name");
        gauge.WithLabels("a").Set(1);
        gauge.WithLabels("b").Set(1);

        gauge.RemoveAllSeries();
        gauge.WithLabels("c").Set(1);

        var text = registry.Scrape();
        Assert.DoesNotContain("name=\"a\"", text);
        Assert.DoesNotContain("name=\"b\"", text);
        Assert.Contains("test_enabled{name=\"c\"} 1\n", text);
    }

    [Fact]
    public async Task Process_and_runtime_metrics_pass_promtool_and_keep_the_go_names()
    {
        var registry = new MetricsRegistry();
        using var runtime = ProcessMetrics.Register(registry);
        registry.Counter("test_escape_total", "Label values escaped.", "v").WithLabels("q\"\\\n").Inc();
        GC.Collect();

        var text = registry.Scrape();
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);

        Assert.True(exitCode == 0, "promtool check metrics failed:\n" + output + "\n" + text);
        foreach (var name in new[] { "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
                     "process_start_time_seconds", "process_open_fds", "process_max_fds" })
        {
            Assert.Contains("\n" + name + " ", text);
        }
        // The runtime's own meter, through the library's adapter.
        Assert.Contains("test_escape_total{v=\"q\\\"\\\\\\n\"} 1\n", text);
        Assert.Contains("\nsystem_runtime_dotnet_gc_", text);
        Assert.Contains("\nsystem_runtime_dotnet_thread_pool_queue_length ", text);
    }
}
