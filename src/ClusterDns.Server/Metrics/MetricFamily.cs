using System.Text;

namespace ClusterDns.Server.Metrics;

/// <summary>
/// One metric name with its help, type and label names, and the series (label value sets) created so far.
/// Series are created at setup time and kept as handles; updating a handle touches no lock and allocates nothing.
/// </summary>
public abstract class MetricFamily
{
    private protected MetricFamily(string name, string help, MetricType type, IReadOnlyList<string> labelNames)
    {
        Name = name;
        Help = help;
        Type = type;
        LabelNames = labelNames;
    }

    public string Name { get; }

    public string Help { get; }

    public MetricType Type { get; }

    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>Writes the family's samples (not its HELP/TYPE lines) in text format 0.0.4.</summary>
    internal abstract void WriteSamples(ExpositionWriter writer);

    private protected void CheckLabelValues(string[] values)
    {
        if (values.Length != LabelNames.Count)
        {
            throw new ArgumentException($"metric '{Name}' has {LabelNames.Count} labels ({string.Join(", ", LabelNames)}), got {values.Length} values");
        }
        foreach (var value in values)
        {
            ArgumentNullException.ThrowIfNull(value);
        }
    }

    private protected static string Key(string[] values)
    {
        if (values.Length == 0)
        {
            return string.Empty;
        }
        var key = new StringBuilder();
        foreach (var value in values)
        {
            // A separator that cannot be confused with label text keeps ("a","bc") apart from ("ab","c").
            key.Append(value.Length).Append(':').Append(value).Append('\0');
        }
        return key.ToString();
    }
}

/// <summary>A family whose series are handles of type <typeparamref name="TSeries"/>, one per label value set.</summary>
public abstract class MetricFamily<TSeries> : MetricFamily where TSeries : class
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TSeries> _byKey = new(StringComparer.Ordinal);
    private (string[] Values, TSeries Series)[] _series = [];

    private protected MetricFamily(string name, string help, MetricType type, IReadOnlyList<string> labelNames)
        : base(name, help, type, labelNames)
    {
    }

    /// <summary>
    /// The series for these label values (in the order of <see cref="MetricFamily.LabelNames"/>), created on first
    /// use. Call it once at setup and keep the handle: this lookup takes a lock and allocates.
    /// </summary>
    public TSeries WithLabels(params string[] values)
    {
        CheckLabelValues(values);
        var key = Key(values);
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var existing))
            {
                return existing;
            }
            var created = Create();
            _byKey[key] = created;
            // Copy on write: the scrape reads the array without the lock.
            var next = new (string[], TSeries)[_series.Length + 1];
            _series.CopyTo(next, 0);
            next[^1] = ((string[])values.Clone(), created);
            Volatile.Write(ref _series, next);
            return created;
        }
    }

    /// <summary>Removes every series (e.g. <c>coredns_plugin_enabled</c> when a new Corefile is loaded).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _byKey.Clear();
            Volatile.Write(ref _series, []);
        }
    }

    /// <summary>Removes one series; handles already taken keep working but are no longer exposed.</summary>
    public bool Remove(params string[] values)
    {
        CheckLabelValues(values);
        var key = Key(values);
        lock (_gate)
        {
            if (!_byKey.Remove(key))
            {
                return false;
            }
            var kept = new List<(string[], TSeries)>(_series.Length);
            foreach (var entry in _series)
            {
                if (Key(entry.Values) != key)
                {
                    kept.Add(entry);
                }
            }
            Volatile.Write(ref _series, kept.ToArray());
            return true;
        }
    }

    private protected abstract TSeries Create();

    private protected abstract void WriteSeries(ExpositionWriter writer, string[] labelValues, TSeries series);

    internal override void WriteSamples(ExpositionWriter writer)
    {
        foreach (var (values, series) in Volatile.Read(ref _series))
        {
            WriteSeries(writer, values, series);
        }
    }
}
