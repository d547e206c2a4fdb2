using Prometheus;

namespace ClusterDns.Server.Telemetry;

/// <summary>
/// Series of one counter or gauge whose values live elsewhere (cache sizes, counts a plugin keeps anyway) and
/// are copied into the library's collector just before each scrape. Setting the same label values again
/// replaces the callback, so a reloaded plugin points the series at its new instance; a counter then keeps
/// counting from where it was (the old instance's last counts are added first, the new one's are added from
/// its value at the switch), so it never goes down across a reload, as CoreDNS's process-wide counters do not.
/// </summary>
public sealed class CallbackSeries
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    internal CallbackSeries(Counter counter) => Collector = counter;

    internal CallbackSeries(Gauge gauge) => Collector = gauge;

    internal Collector Collector { get; }

    /// <summary>Sets the callback for one label value set; it runs on the scrape thread and must be cheap.</summary>
    public void Set(Func<double> read, params string[] labelValues)
    {
        // A separator no label text contains keeps ("a","bc") apart from ("ab","c").
        var key = string.Join('\u0001', labelValues);
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                Publish(entry);
                entry.Read = read;
                entry.Last = TryRead(read) ?? 0;
                return;
            }
            ICollectorChild child = Collector switch
            {
                Counter counter => labelValues.Length == 0 ? counter.NoLabels() : counter.WithLabels(labelValues),
                Gauge gauge => labelValues.Length == 0 ? gauge.NoLabels() : gauge.WithLabels(labelValues),
                _ => throw new InvalidOperationException("callback series are counters or gauges"),
            };
            _entries[key] = new Entry(child, read);
        }
    }

    /// <summary>Copies every callback's value into its series (before each scrape).</summary>
    internal void Publish()
    {
        lock (_gate)
        {
            foreach (var entry in _entries.Values)
            {
                Publish(entry);
            }
        }
    }

    private static void Publish(Entry entry)
    {
        if (TryRead(entry.Read) is not { } value)
        {
            return;
        }
        switch (entry.Child)
        {
            case Counter.Child counter:
                // The source counts from its own start: add what it counted since the last scrape (all of it
                // when it went down, i.e. the source started again).
                double delta = value >= entry.Last ? value - entry.Last : value;
                if (delta > 0)
                {
                    counter.Inc(delta);
                }
                entry.Last = value;
                break;
            case Gauge.Child gauge:
                gauge.Set(value);
                break;
        }
    }

    private static double? TryRead(Func<double> read)
    {
        try
        {
            return read();
        }
        catch (Exception)
        {
            // A failing statistic is left out of this scrape rather than failing the whole scrape.
            return null;
        }
    }

    private sealed class Entry(ICollectorChild child, Func<double> read)
    {
        public ICollectorChild Child { get; } = child;

        public Func<double> Read { get; set; } = read;

        public double Last { get; set; }
    }
}
