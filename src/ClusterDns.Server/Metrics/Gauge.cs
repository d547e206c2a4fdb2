namespace ClusterDns.Server.Metrics;

/// <summary>A value that goes up and down; lock-free and allocation-free to update.</summary>
public sealed class Gauge
{
    private double _value;

    public double Value => Volatile.Read(ref _value);

    public void Set(double value) => Interlocked.Exchange(ref _value, value);

    public void Increment() => Add(1);

    public void Decrement() => Add(-1);

    public void Add(double amount)
    {
        double current = Volatile.Read(ref _value);
        while (true)
        {
            double seen = Interlocked.CompareExchange(ref _value, current + amount, current);
            if (seen.Equals(current))
            {
                return;
            }
            current = seen;
        }
    }
}

/// <summary>A gauge metric with labels (Prometheus type <c>gauge</c>).</summary>
public sealed class GaugeFamily : MetricFamily<Gauge>
{
    internal GaugeFamily(string name, string help, IReadOnlyList<string> labelNames)
        : base(name, help, MetricType.Gauge, labelNames)
    {
    }

    private protected override Gauge Create() => new();

    private protected override void WriteSeries(ExpositionWriter writer, string[] labelValues, Gauge series) =>
        writer.WriteSample(Name, LabelNames, labelValues, series.Value);
}
