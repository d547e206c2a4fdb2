using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Log;

/// <summary>The <c>log</c> directives of a server block: which queries to log, and how.</summary>
internal sealed record LogOptions(IReadOnlyList<LogRule> Rules)
{
    /// <summary>CoreDNS's <c>{common}</c> format.</summary>
    public const string CommonFormat = "{remote}:{port} - {>id} \"{type} {class} {name} {proto} {size} {>do} {>bufsize}\" {rcode} {>rflags} {rsize} {duration}";

    /// <summary>CoreDNS's <c>{combined}</c> format: common plus the opcode.</summary>
    public const string CombinedFormat = CommonFormat + " \"{>opcode}\"";

    /// <summary>Entries waiting for the background writer; beyond this, entries are dropped and counted.</summary>
    public const int QueueCapacity = 8192;
}

/// <summary>Log queries for names in <see cref="NameScope"/> whose response falls in <see cref="Classes"/>.</summary>
internal sealed record LogRule(DnsName NameScope, string Format, ResponseClasses Classes)
{
    public byte[] ScopeWire { get; } = NameScope.ToLower().Wire.ToArray();

    /// <summary>The metadata labels the format reads (<c>{/label}</c>), captured per logged query; empty for most formats.</summary>
    public string[] MetadataLabels { get; } = FindMetadataLabels(Format);

    private static string[] FindMetadataLabels(string format)
    {
        var labels = new List<string>();
        int open = format.IndexOf("{/", StringComparison.Ordinal);
        while (open >= 0)
        {
            int close = format.IndexOf('}', open);
            if (close < 0)
            {
                break;
            }
            var label = format[(open + 2)..close];
            if (!labels.Contains(label))
            {
                labels.Add(label);
            }
            open = format.IndexOf("{/", close, StringComparison.Ordinal);
        }
        return labels.ToArray();
    }
}

/// <summary>CoreDNS's response classes for <c>log { class ... }</c>.</summary>
[Flags]
internal enum ResponseClasses
{
    None = 0,
    Success = 1,
    Denial = 2,
    Error = 4,
    All = Success | Denial | Error,
}
