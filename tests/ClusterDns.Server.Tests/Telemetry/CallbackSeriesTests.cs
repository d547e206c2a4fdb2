using ClusterDns.Server.Telemetry;

namespace ClusterDns.Server.Tests.Telemetry;

/// <summary>Series copied from a plugin's own counts at scrape time, across reloads that replace the plugin.</summary>
public sealed class CallbackSeriesTests
{
    [Fact]
    public void A_gauge_is_read_at_scrape_and_a_failing_callback_keeps_its_last_value()
    {
        var registry = new MetricsRegistry();
        var series = registry.GaugeCallback("test_entries", "Entries.", "cache");
        int entries = 3;
        series.Set(() => entries, "a");
        series.Set(() => throw new InvalidOperationException("broken"), "b");
        entries = 7;

        var text = registry.Scrape();

        Assert.Contains("test_entries{cache=\"a\"} 7\n", text);
        Assert.Contains("test_entries{cache=\"b\"} 0\n", text);
    }

    [Fact]
    public void A_counter_keeps_counting_when_a_reload_points_it_at_a_new_instance()
    {
        var registry = new MetricsRegistry();
        var series = registry.CounterCallback("test_hits_total", "Hits.", "server");
        long oldHits = 5;
        series.Set(() => oldHits, "dns://:53");
        Assert.Contains("test_hits_total{server=\"dns://:53\"} 5\n", registry.Scrape());

        // Two more on the old instance after the scrape, then the reload's new instance takes over from zero.
        oldHits = 7;
        long newHits = 0;
        registry.CounterCallback("test_hits_total", "Hits.", "server").Set(() => newHits, "dns://:53");
        newHits = 4;

        Assert.Contains("test_hits_total{server=\"dns://:53\"} 11\n", registry.Scrape());
    }

    [Fact]
    public void A_counter_whose_source_starts_again_never_goes_down()
    {
        var registry = new MetricsRegistry();
        long hits = 10;
        registry.CounterCallback("test_hits_total", "Hits.").Set(() => hits);
        Assert.Contains("test_hits_total 10\n", registry.Scrape());

        hits = 3;

        Assert.Contains("test_hits_total 13\n", registry.Scrape());
    }

    [Fact]
    public void A_counter_attached_again_to_the_same_source_does_not_count_twice()
    {
        var registry = new MetricsRegistry();
        long hits = 6;
        var series = registry.CounterCallback("test_hits_total", "Hits.");
        series.Set(() => hits);
        series.Set(() => hits);

        Assert.Contains("test_hits_total 6\n", registry.Scrape());
    }
}
