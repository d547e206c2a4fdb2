namespace ClusterDns.Server.Metrics;

/// <summary>
/// A counter or gauge whose values are read at scrape time from callbacks (process and runtime statistics,
/// sizes of caches). Registering the same label values again replaces the callback, so a reloaded plugin
/// can point the series at its new instance.
/// </summary>
public sealed class CallbackFamily : MetricFamily<CallbackFamily.Series>
{
    internal CallbackFamily(string name, string help, MetricType type, IReadOnlyList<string> labelNames)
        : base(name, help, type, labelNames)
    {
    }

    /// <summary>Sets the callback for one label value set; the callback runs on the scrape thread and must be cheap.</summary>
    public void Set(Func<double> read, params string[] labelValues) => WithLabels(labelValues).Read = read;

    private protected override Series Create() => new();

    private protected override void WriteSeries(ExpositionWriter writer, string[] labelValues, Series series)
    {
        var read = series.Read;
        if (read is null)
        {
            return;
        }
        double value;
        try
        {
            value = read();
        }
        catch (Exception)
        {
            // A failing statistic is left out of this scrape rather than failing the whole scrape.
            return;
        }
        writer.WriteSample(Name, LabelNames, labelValues, value);
    }

    /// <summary>One callback series.</summary>
    public sealed class Series
    {
        public Func<double>? Read { get; set; }
    }
}
