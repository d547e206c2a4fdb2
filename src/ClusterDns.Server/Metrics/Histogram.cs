namespace ClusterDns.Server.Metrics;

/// <summary>
/// Counts observations into fixed buckets (an array of longs, one per upper bound plus +Inf) and sums them.
/// Lock-free and allocation-free to update; the scrape makes the buckets cumulative.
/// </summary>
public sealed class Histogram
{
    private readonly double[] _upperBounds;
    private readonly long[] _counts;
    private double _sum;

    internal Histogram(double[] upperBounds)
    {
        _upperBounds = upperBounds;
        _counts = new long[upperBounds.Length + 1];
    }

    public void Observe(double value)
    {
        var bounds = _upperBounds;
        int index = 0;
        while (index < bounds.Length && value > bounds[index])
        {
            index++;
        }
        Interlocked.Increment(ref _counts[index]);
        double current = Volatile.Read(ref _sum);
        while (true)
        {
            double seen = Interlocked.CompareExchange(ref _sum, current + value, current);
            if (seen.Equals(current))
            {
                return;
            }
            current = seen;
        }
    }

    /// <summary>Observations so far (the <c>_count</c> sample).</summary>
    public long Count
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _counts.Length; i++)
            {
                total += Interlocked.Read(ref _counts[i]);
            }
            return total;
        }
    }

    public double Sum => Volatile.Read(ref _sum);

    internal IReadOnlyList<double> UpperBounds => _upperBounds;

    /// <summary>Copies the per-bucket (not cumulative) counts; the last one is the +Inf bucket.</summary>
    internal void CopyCounts(Span<long> destination)
    {
        for (int i = 0; i < _counts.Length; i++)
        {
            destination[i] = Interlocked.Read(ref _counts[i]);
        }
    }
}

/// <summary>A histogram metric with labels: <c>_bucket{le=…}</c> (cumulative), <c>_sum</c> and <c>_count</c>.</summary>
public sealed class HistogramFamily : MetricFamily<Histogram>
{
    private readonly double[] _upperBounds;

    internal HistogramFamily(string name, string help, double[] upperBounds, IReadOnlyList<string> labelNames)
        : base(name, help, MetricType.Histogram, labelNames)
    {
        _upperBounds = upperBounds;
    }

    public IReadOnlyList<double> UpperBounds => _upperBounds;

    private protected override Histogram Create() => new(_upperBounds);

    private protected override void WriteSeries(ExpositionWriter writer, string[] labelValues, Histogram series) =>
        writer.WriteHistogram(Name, LabelNames, labelValues, series);

    /// <summary><paramref name="count"/> bounds starting at <paramref name="start"/>, each <paramref name="factor"/> times the last (Prometheus's ExponentialBuckets).</summary>
    public static double[] ExponentialBuckets(double start, double factor, int count)
    {
        if (start <= 0 || factor <= 1 || count < 1)
        {
            throw new ArgumentException("exponential buckets need start > 0, factor > 1 and count >= 1");
        }
        var buckets = new double[count];
        buckets[0] = start;
        for (int i = 1; i < count; i++)
        {
            buckets[i] = buckets[i - 1] * factor;
        }
        return buckets;
    }
}
