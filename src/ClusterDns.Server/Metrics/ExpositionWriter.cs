using System.Globalization;
using System.Text;

namespace ClusterDns.Server.Metrics;

/// <summary>
/// Prometheus text exposition format 0.0.4: <c># HELP</c> and <c># TYPE</c> lines, one sample per line,
/// label values escaped (<c>\\</c>, <c>\"</c>, <c>\n</c>), help escaped (<c>\\</c>, <c>\n</c>), floats as Go
/// prints them (<c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>).
/// </summary>
internal sealed class ExpositionWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text;

    public ExpositionWriter(StringBuilder text) => _text = text;

    public void WriteHeader(MetricFamily family)
    {
        _text.Append("# HELP ").Append(family.Name).Append(' ');
        AppendEscaped(family.Help, escapeQuote: false);
        _text.Append('\n');
        _text.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type switch
        {
            MetricType.Counter => "counter",
            MetricType.Gauge => "gauge",
            _ => "histogram",
        }).Append('\n');
    }

    public void WriteSample(string name, IReadOnlyList<string> labelNames, string[] labelValues, long value)
    {
        AppendNameAndLabels(name, labelNames, labelValues, null, null);
        _text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    public void WriteSample(string name, IReadOnlyList<string> labelNames, string[] labelValues, double value)
    {
        AppendNameAndLabels(name, labelNames, labelValues, null, null);
        _text.Append(' ').Append(FormatDouble(value)).Append('\n');
    }

    public void WriteHistogram(string name, IReadOnlyList<string> labelNames, string[] labelValues, Histogram histogram)
    {
        var bounds = histogram.UpperBounds;
        Span<long> counts = stackalloc long[bounds.Count + 1];
        histogram.CopyCounts(counts);
        long cumulative = 0;
        for (int i = 0; i <= bounds.Count; i++)
        {
            cumulative += counts[i];
            var le = i < bounds.Count ? FormatDouble(bounds[i]) : "+Inf";
            AppendNameAndLabels(name + "_bucket", labelNames, labelValues, "le", le);
            _text.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        AppendNameAndLabels(name + "_sum", labelNames, labelValues, null, null);
        _text.Append(' ').Append(FormatDouble(histogram.Sum)).Append('\n');
        // _count equals the +Inf bucket of the same snapshot, so the two always agree.
        AppendNameAndLabels(name + "_count", labelNames, labelValues, null, null);
        _text.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    public static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    private void AppendNameAndLabels(string name, IReadOnlyList<string> labelNames, string[] labelValues, string? extraName, string? extraValue)
    {
        _text.Append(name);
        if (labelNames.Count == 0 && extraName is null)
        {
            return;
        }
        _text.Append('{');
        for (int i = 0; i < labelNames.Count; i++)
        {
            if (i > 0)
            {
                _text.Append(',');
            }
            _text.Append(labelNames[i]).Append("=\"");
            AppendEscaped(labelValues[i], escapeQuote: true);
            _text.Append('"');
        }
        if (extraName is not null)
        {
            if (labelNames.Count > 0)
            {
                _text.Append(',');
            }
            _text.Append(extraName).Append("=\"").Append(extraValue).Append('"');
        }
        _text.Append('}');
    }

    private void AppendEscaped(string value, bool escapeQuote)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\':
                    _text.Append("\\\\");
                    break;
                case '\n':
                    _text.Append("\\n");
                    break;
                case '"' when escapeQuote:
                    _text.Append("\\\"");
                    break;
                default:
                    _text.Append(c);
                    break;
            }
        }
    }
}
