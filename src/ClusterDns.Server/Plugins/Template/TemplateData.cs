namespace ClusterDns.Server.Plugins.Template;

/// <summary>What a template sees (CoreDNS's templateData): built only once a rule's regex matched.</summary>
internal sealed class TemplateData
{
    public required string Zone { get; init; }
    public required string Name { get; init; }
    public required string Class { get; init; }
    public required string Type { get; init; }
    public required string Regex { get; init; }
    public required string[] Match { get; init; }
    /// <summary>Numbered groups ("0", "1", …) and named ones, as CoreDNS fills its map.</summary>
    public required Dictionary<string, string> Group { get; init; }
    public required string Remote { get; init; }
    public required Func<string> Message { get; init; }

    /// <summary><c>.Meta "label"</c>: the query's metadata value, "" when there is none.</summary>
    public required Func<string, string> Meta { get; init; }

    /// <summary>miekg/dns's Question.String(): <c>;name\tCLASS\tTYPE</c>.</summary>
    public string Question => $";{Name}\t{Class}\t{Type}";
}
