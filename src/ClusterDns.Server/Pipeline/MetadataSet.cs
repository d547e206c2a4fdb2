using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// The metadata of one server block that has the <c>metadata</c> plugin: its providers by label and the zones
/// the plugin was given (a query outside them has no metadata, as CoreDNS's collector skips it).
/// </summary>
public sealed class MetadataSet
{
    private readonly Dictionary<string, MetadataProvider> _providers;
    private readonly byte[][] _zones;

    public MetadataSet(IEnumerable<MetadataProvider> providers, IReadOnlyList<DnsName> zones)
    {
        _providers = new Dictionary<string, MetadataProvider>(StringComparer.Ordinal);
        foreach (var provider in providers)
        {
            // The first plugin to register a label keeps it.
            _providers.TryAdd(provider.Label, provider);
        }
        _zones = zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
    }

    public IEnumerable<string> Labels => _providers.Keys;

    /// <summary>The value of <paramref name="label"/> for this query; null when unknown, out of zone, or empty.</summary>
    public string? Get(DnsQueryContext context, string label)
    {
        if (!_providers.TryGetValue(label, out var provider) || !InZones(context.LowerName))
        {
            return null;
        }
        var value = provider.ValueFor(context);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private bool InZones(ReadOnlySpan<byte> name)
    {
        foreach (var zone in _zones)
        {
            if (WireName.IsSubdomainOf(name, zone))
            {
                return true;
            }
        }
        return false;
    }
}
