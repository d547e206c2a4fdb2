using ClusterDns.Server.Metrics;

namespace ClusterDns.Server.Tests.Metrics;

public sealed class ExpositionTests
{
    [Fact]
    public void Counter_renders_help_type_and_labelled_samples()
    {
        var registry = new MetricsRegistry();
        var family = registry.Counter("test_requests_total", "Requests seen.", "zone", "type");
        family.WithLabels("example.org.", "A").Increment();
        family.WithLabels("example.org.", "A").Add(2);
        family.WithLabels("example.org.", "AAAA").Increment();

        Assert.Equal(
            "# HELP test_requests_total Requests seen.\n" +
            "# TYPE test_requests_total counter\n" +
            "test_requests_total{zone=\"example.org.\",type=\"A\"} 3\n" +
            "test_requests_total{zone=\"example.org.\",type=\"AAAA\"} 1\n",
            registry.Scrape());
    }

    [Fact]
    public void Label_values_and_help_are_escaped()
    {
        var registry = new MetricsRegistry();
        registry.Gauge("test_escape", "Help with \\ backslash\nand newline \"quotes stay\".", "value")
            .WithLabels("a\\b\"c\nd").Set(1.5);

        Assert.Equal(
            "# HELP test_escape Help with \\\\ backslash\\nand newline \"quotes stay\".\n" +
            "# TYPE test_escape gauge\n" +
            "test_escape{value=\"a\\\\b\\\"c\\nd\"} 1.5\n",
            registry.Scrape());
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_with_inf_sum_and_count()
    {
        var registry = new MetricsRegistry();
        var histogram = registry.Histogram("test_size_bytes", "Sizes.", [100, 200, 400], "proto").WithLabels("udp");
        foreach (var value in new[] { 0.0, 100, 150, 200, 399, 401, 5000 })
        {
            histogram.Observe(value);
        }

        Assert.Equal(
            "# HELP test_size_bytes Sizes.\n" +
            "# TYPE test_size_bytes histogram\n" +
            "test_size_bytes_bucket{proto=\"udp\",le=\"100\"} 2\n" +
            "test_size_bytes_bucket{proto=\"udp\",le=\"200\"} 4\n" +
            "test_size_bytes_bucket{proto=\"udp\",le=\"400\"} 5\n" +
            "test_size_bytes_bucket{proto=\"udp\",le=\"+Inf\"} 7\n" +
            "test_size_bytes_sum{proto=\"udp\"} 6250\n" +
            "test_size_bytes_count{proto=\"udp\"} 7\n",
            registry.Scrape());
    }

    [Fact]
    public void Unlabelled_histogram_has_only_le()
    {
        var registry = new MetricsRegistry();
        registry.Histogram("test_seconds", "Durations.", [0.00025, 0.0005]).WithLabels().Observe(0.0003);

        var text = registry.Scrape();

        Assert.Contains("test_seconds_bucket{le=\"0.00025\"} 0\n", text);
        Assert.Contains("test_seconds_bucket{le=\"0.0005\"} 1\n", text);
        Assert.Contains("test_seconds_count 1\n", text);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.0, "0")]
    [InlineData(0.00025, "0.00025")]
    [InlineData(16000.0, "16000")]
    [InlineData(-2.5, "-2.5")]
    public void Gauge_values_are_formatted_as_prometheus_floats(double value, string expected)
    {
        var registry = new MetricsRegistry();
        registry.Gauge("test_value", "A value.").WithLabels().Set(value);

        Assert.EndsWith($"test_value {expected}\n", registry.Scrape());
    }

    [Fact]
    public void Families_are_sorted_by_name()
    {
        var registry = new MetricsRegistry();
        registry.Counter("b_total", "b").WithLabels().Increment();
        registry.Counter("a_total", "a").WithLabels().Increment();

        var text = registry.Scrape();

        Assert.True(text.IndexOf("a_total", StringComparison.Ordinal) < text.IndexOf("b_total", StringComparison.Ordinal));
    }

    [Fact]
    public void Registering_again_returns_the_same_family_and_series()
    {
        var registry = new MetricsRegistry();
        var first = registry.Counter("test_total", "t", "zone");
        var second = registry.Counter("test_total", "t", "zone");
        first.WithLabels("a").Increment();
        second.WithLabels("a").Increment();

        Assert.Same(first, second);
        Assert.Equal(2, first.WithLabels("a").Value);
    }

    [Fact]
    public void Registering_a_name_with_another_type_or_labels_throws()
    {
        var registry = new MetricsRegistry();
        registry.Counter("test_total", "t", "zone");

        Assert.Throws<InvalidOperationException>(() => registry.Gauge("test_total", "t", "zone"));
        Assert.Throws<InvalidOperationException>(() => registry.Counter("test_total", "t", "server"));
    }

    [Theory]
    [InlineData("9starts_with_digit")]
    [InlineData("has-dash")]
    [InlineData("")]
    public void Invalid_metric_names_are_rejected(string name)
    {
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().Counter(name, "h"));
    }

    [Fact]
    public void Invalid_label_names_and_value_counts_are_rejected()
    {
        var registry = new MetricsRegistry();
        Assert.Throws<ArgumentException>(() => registry.Counter("x_total", "h", "bad:label"));
        Assert.Throws<ArgumentException>(() => registry.Counter("y_total", "h", "__reserved"));
        Assert.Throws<ArgumentException>(() => registry.Histogram("z", "h", [1], "le"));
        Assert.Throws<ArgumentException>(() => registry.Histogram("w", "h", [2, 1]));
        Assert.Throws<ArgumentException>(() => registry.Counter("v_total", "h", "a").WithLabels("1", "2"));
    }

    [Fact]
    public void Callback_series_are_read_at_scrape_and_a_failing_one_is_left_out()
    {
        var registry = new MetricsRegistry();
        var family = registry.GaugeCallback("test_entries", "Entries.", "cache");
        int entries = 3;
        family.Set(() => entries, "a");
        family.Set(() => throw new InvalidOperationException("broken"), "b");
        entries = 7;

        var text = registry.Scrape();

        Assert.Contains("test_entries{cache=\"a\"} 7\n", text);
        Assert.DoesNotContain("cache=\"b\"", text);
    }

    [Fact]
    public void Clear_and_remove_drop_series()
    {
        var registry = new MetricsRegistry();
        var family = registry.Gauge("test_enabled", "e", "name");
        family.WithLabels("a").Set(1);
        family.WithLabels("b").Set(1);

        Assert.True(family.Remove("a"));
        Assert.DoesNotContain("name=\"a\"", registry.Scrape());
        family.Clear();
        Assert.DoesNotContain("name=\"b\"", registry.Scrape());
    }

    [Fact]
    public void Updates_from_many_threads_are_not_lost()
    {
        var registry = new MetricsRegistry();
        var counter = registry.Counter("test_total", "t").WithLabels();
        var gauge = registry.Gauge("test_gauge", "g").WithLabels();
        var histogram = registry.Histogram("test_hist", "h", [1]).WithLabels();

        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                counter.Increment();
                gauge.Add(1);
                histogram.Observe(0.5);
            }
        });

        Assert.Equal(80_000, counter.Value);
        Assert.Equal(80_000, gauge.Value);
        Assert.Equal(80_000, histogram.Count);
        Assert.Equal(40_000, histogram.Sum);
    }

    [Fact]
    public void Updating_a_handle_allocates_nothing()
    {
        var registry = new MetricsRegistry();
        var counter = registry.Counter("test_total", "t", "a").WithLabels("x");
        var gauge = registry.Gauge("test_gauge", "g").WithLabels();
        var histogram = registry.Histogram("test_hist", "h", [1, 2, 4]).WithLabels();
        counter.Increment();
        gauge.Add(1);
        histogram.Observe(3);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            counter.Increment();
            gauge.Add(1);
            histogram.Observe(i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Process_and_runtime_metrics_pass_promtool()
    {
        var registry = new MetricsRegistry();
        ProcessMetrics.Register(registry);
        RuntimeMetrics.Register(registry);
        registry.Counter("test_escape_total", "Odd \\ help\n.", "v").WithLabels("q\"\\\n").Increment();

        var text = registry.Scrape();
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);

        Assert.True(exitCode == 0, "promtool check metrics failed:\n" + output + "\n" + text);
        Assert.Contains("process_cpu_seconds_total ", text);
        Assert.Contains("process_resident_memory_bytes ", text);
        Assert.Contains("process_start_time_seconds ", text);
        Assert.Contains("process_open_fds ", text);
        Assert.Contains("process_virtual_memory_bytes ", text);
        Assert.Contains("dotnet_gc_collections_total{generation=\"0\"} ", text);
        Assert.Contains("dotnet_threadpool_threads ", text);
    }
}
