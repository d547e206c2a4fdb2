using System.Text;

namespace ClusterDns.Server.Metrics;

/// <summary>
/// The metrics of one process, rendered in Prometheus text format 0.0.4 on scrape. Registering a name that
/// exists returns the existing family (so plugins of several server blocks, or of a reloaded Corefile, share
/// one family) as long as type, label names and buckets agree; otherwise it throws, which is a programming error.
/// </summary>
public sealed class MetricsRegistry
{
    private readonly object _gate = new();
    private readonly SortedDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);

    /// <summary>A counter family: <c>registry.Counter("x_total", "help", "label").WithLabels("v").Increment()</c>.</summary>
    public CounterFamily Counter(string name, string help, params string[] labelNames) =>
        GetOrAdd(name, labelNames, () => new CounterFamily(name, help, labelNames), f => f is CounterFamily);

    public GaugeFamily Gauge(string name, string help, params string[] labelNames) =>
        GetOrAdd(name, labelNames, () => new GaugeFamily(name, help, labelNames), f => f is GaugeFamily);

    /// <summary>A histogram family; <paramref name="upperBounds"/> ascending, without +Inf (added implicitly).</summary>
    public HistogramFamily Histogram(string name, string help, IReadOnlyList<double> upperBounds, params string[] labelNames)
    {
        var bounds = upperBounds.ToArray();
        for (int i = 0; i < bounds.Length; i++)
        {
            if (double.IsNaN(bounds[i]) || double.IsInfinity(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                throw new ArgumentException($"histogram '{name}': bucket bounds must be finite and strictly ascending");
            }
        }
        if (Array.IndexOf(labelNames, "le") >= 0)
        {
            throw new ArgumentException($"histogram '{name}': 'le' is reserved for buckets");
        }
        return GetOrAdd(name, labelNames, () => new HistogramFamily(name, help, bounds, labelNames),
            f => f is HistogramFamily h && h.UpperBounds.SequenceEqual(bounds));
    }

    /// <summary>A counter read from callbacks at scrape time (see <see cref="CallbackFamily.Set"/>).</summary>
    public CallbackFamily CounterCallback(string name, string help, params string[] labelNames) =>
        GetOrAdd(name, labelNames, () => new CallbackFamily(name, help, MetricType.Counter, labelNames), f => f is CallbackFamily { Type: MetricType.Counter });

    /// <summary>A gauge read from callbacks at scrape time (see <see cref="CallbackFamily.Set"/>).</summary>
    public CallbackFamily GaugeCallback(string name, string help, params string[] labelNames) =>
        GetOrAdd(name, labelNames, () => new CallbackFamily(name, help, MetricType.Gauge, labelNames), f => f is CallbackFamily { Type: MetricType.Gauge });

    public bool TryGet(string name, out MetricFamily family)
    {
        lock (_gate)
        {
            return _families.TryGetValue(name, out family!);
        }
    }

    /// <summary>Renders every family, sorted by name, in text format 0.0.4.</summary>
    public string Scrape()
    {
        MetricFamily[] families;
        lock (_gate)
        {
            families = _families.Values.ToArray();
        }
        var text = new StringBuilder(16 * 1024);
        var writer = new ExpositionWriter(text);
        foreach (var family in families)
        {
            writer.WriteHeader(family);
            family.WriteSamples(writer);
        }
        return text.ToString();
    }

    /// <summary>The content type of <see cref="Scrape"/>'s output.</summary>
    public static string ContentType => ExpositionWriter.ContentType;

    private T GetOrAdd<T>(string name, string[] labelNames, Func<T> create, Func<MetricFamily, bool> compatible) where T : MetricFamily
    {
        ArgumentNullException.ThrowIfNull(labelNames);
        if (!IsValidName(name, allowColon: true))
        {
            throw new ArgumentException($"'{name}' is not a valid metric name");
        }
        foreach (var label in labelNames)
        {
            if (!IsValidName(label, allowColon: false) || label.StartsWith("__", StringComparison.Ordinal))
            {
                throw new ArgumentException($"metric '{name}': '{label}' is not a valid label name");
            }
        }
        lock (_gate)
        {
            if (_families.TryGetValue(name, out var existing))
            {
                if (existing is T typed && compatible(existing) && existing.LabelNames.SequenceEqual(labelNames))
                {
                    return typed;
                }
                throw new InvalidOperationException($"metric '{name}' is already registered as a {existing.Type} with labels ({string.Join(", ", existing.LabelNames)})");
            }
            var created = create();
            _families[name] = created;
            return created;
        }
    }

    private static bool IsValidName(string name, bool allowColon)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }
}
