namespace ClusterDns.Server.Pipeline;

/// <summary>
/// One named piece of per-query metadata (CoreDNS's <c>metadata.Provider</c> label, <c>plugin/name</c>).
/// Plugins register providers on their server block at setup; a value is computed only when someone reads it
/// (<c>view</c>'s <c>metadata()</c>, <c>log</c>'s <c>{/label}</c>, <c>template</c>'s <c>.Meta</c>), so a query
/// nobody asks about costs nothing.
/// </summary>
public abstract class MetadataProvider
{
    protected MetadataProvider(string label) => Label = label;

    /// <summary>The label, <c>plugin/name</c>.</summary>
    public string Label { get; }

    /// <summary>The value for this query, or null for "no metadata" (CoreDNS's empty string).</summary>
    public abstract string? ValueFor(DnsQueryContext context);
}

/// <summary>A provider whose value is a function of the query (for plugins that need no state of their own).</summary>
public sealed class FuncMetadataProvider : MetadataProvider
{
    private readonly Func<DnsQueryContext, string?> _value;

    public FuncMetadataProvider(string label, Func<DnsQueryContext, string?> value)
        : base(label) => _value = value;

    public override string? ValueFor(DnsQueryContext context) => _value(context);
}
