namespace ClusterDns.Server.Metrics;

/// <summary>A monotonically increasing count; lock-free and allocation-free to update.</summary>
public sealed class Counter
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);

    /// <summary>Adds <paramref name="amount"/>; negative amounts are ignored (a counter never goes down).</summary>
    public void Add(long amount)
    {
        if (amount > 0)
        {
            Interlocked.Add(ref _value, amount);
        }
    }
}

/// <summary>A counter metric with labels (Prometheus type <c>counter</c>).</summary>
public sealed class CounterFamily : MetricFamily<Counter>
{
    internal CounterFamily(string name, string help, IReadOnlyList<string> labelNames)
        : base(name, help, MetricType.Counter, labelNames)
    {
    }

    private protected override Counter Create() => new();

    private protected override void WriteSeries(ExpositionWriter writer, string[] labelValues, Counter series) =>
        writer.WriteSample(Name, LabelNames, labelValues, series.Value);
}
