using System.Text;
using Prometheus;

namespace ClusterDns.Server.Telemetry;

/// <summary>
/// The metrics of one process: a prometheus-net <see cref="CollectorRegistry"/> of its own (never the library's
/// static default registry, so tests and several servers in one process do not share counts) and a factory
/// for it without exemplars (no trace context is read on the query path). Creating a name that exists returns
/// the existing collector, so every server block and every reload may create it again.
/// </summary>
public sealed class MetricsRegistry
{
    private readonly IMetricFactory _factory;
    private readonly object _gate = new();
    private readonly List<CallbackSeries> _callbacks = [];

    public MetricsRegistry()
    {
        Collectors = Metrics.NewCustomRegistry();
        _factory = Metrics.WithCustomRegistry(Collectors);
        _factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        Collectors.AddBeforeCollectCallback(PublishCallbacks);
    }

    /// <summary>The library's registry: what <c>/metrics</c> exports and where library collectors register.</summary>
    public CollectorRegistry Collectors { get; }

    /// <summary>The factory the library's own collectors (process, runtime) are created with.</summary>
    internal IMetricFactory Factory => _factory;

    /// <summary>A counter: <c>registry.Counter("x_total", "help", "label").WithLabels("v").Inc()</c>.</summary>
    public Counter Counter(string name, string help, params string[] labelNames) => _factory.CreateCounter(name, help, labelNames);

    public Gauge Gauge(string name, string help, params string[] labelNames) => _factory.CreateGauge(name, help, labelNames);

    /// <summary>A histogram; <paramref name="upperBounds"/> ascending, without +Inf (added by the library).</summary>
    public Histogram Histogram(string name, string help, double[] upperBounds, params string[] labelNames) =>
        _factory.CreateHistogram(name, help, labelNames, new HistogramConfiguration { Buckets = upperBounds });

    /// <summary>A counter whose series are read from callbacks at scrape time (see <see cref="CallbackSeries.Set"/>).</summary>
    public CallbackSeries CounterCallback(string name, string help, params string[] labelNames) =>
        AddCallbacks(new CallbackSeries(Counter(name, help, labelNames)));

    /// <summary>A gauge whose series are read from callbacks at scrape time (see <see cref="CallbackSeries.Set"/>).</summary>
    public CallbackSeries GaugeCallback(string name, string help, params string[] labelNames) =>
        AddCallbacks(new CallbackSeries(Gauge(name, help, labelNames)));

    /// <summary>Writes every collector in <paramref name="format"/> (what <c>/metrics</c> serves).</summary>
    public Task ExportAsync(Stream destination, ExpositionFormat format, CancellationToken cancel) =>
        Collectors.CollectAndExportAsTextAsync(destination, format, cancel);

    /// <summary>The text format (0.0.4) as a string: for tests and diagnostics, not for the endpoint.</summary>
    public string Scrape()
    {
        using var text = new MemoryStream();
        ExportAsync(text, ExpositionFormat.PrometheusText, CancellationToken.None).GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    private CallbackSeries AddCallbacks(CallbackSeries created)
    {
        lock (_gate)
        {
            // One CallbackSeries per collector: a second registration of the name shares the first one's series.
            foreach (var existing in _callbacks)
            {
                if (existing.Collector == created.Collector)
                {
                    return existing;
                }
            }
            _callbacks.Add(created);
            return created;
        }
    }

    private void PublishCallbacks()
    {
        CallbackSeries[] callbacks;
        lock (_gate)
        {
            callbacks = [.. _callbacks];
        }
        foreach (var series in callbacks)
        {
            series.Publish();
        }
    }
}
