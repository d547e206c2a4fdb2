using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// The metadata CoreDNS's kubernetes plugin publishes about the request (its metadata.go): what the question names
/// in the cluster zone — <c>kubernetes/kind</c> (svc or pod), <c>namespace</c>, <c>service</c>, <c>endpoint</c>,
/// <c>port-name</c>, <c>protocol</c> — parsed from the name as CoreDNS's parseRequest does. Computed only when read.
/// </summary>
internal static class KubernetesMetadata
{
    public static IEnumerable<MetadataProvider> Providers(IReadOnlyList<DnsName> zones)
    {
        var zonesWire = zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        yield return new FuncMetadataProvider("kubernetes/kind", context => Parse(context, zonesWire).Kind);
        yield return new FuncMetadataProvider("kubernetes/namespace", context => Parse(context, zonesWire).Namespace);
        yield return new FuncMetadataProvider("kubernetes/service", context => Parse(context, zonesWire).Service);
        yield return new FuncMetadataProvider("kubernetes/endpoint", context => Parse(context, zonesWire).Endpoint);
        yield return new FuncMetadataProvider("kubernetes/port-name", context => Parse(context, zonesWire).Port);
        yield return new FuncMetadataProvider("kubernetes/protocol", context => Parse(context, zonesWire).Protocol);
    }

    internal readonly record struct RequestParts(string? Kind, string? Namespace, string? Service, string? Endpoint, string? Port, string? Protocol);

    /// <summary>
    /// CoreDNS's parseRequest: the labels before the zone read right to left as kind (svc|pod), namespace, service,
    /// then one endpoint label or two (_port._protocol). Anything else, or a name outside the zones, has no parts.
    /// </summary>
    internal static RequestParts Parse(DnsQueryContext context, byte[][] zones)
    {
        var name = context.LowerName;
        int zone = WireName.IndexOfLongestZone(name, zones);
        if (zone < 0)
        {
            return default;
        }
        var labels = new List<string>();
        int offset = 0;
        int relativeLabels = WireName.CountLabels(name) - WireName.CountLabels(zones[zone]);
        for (int i = 0; i < relativeLabels; i++)
        {
            int length = name[offset];
            labels.Add(System.Text.Encoding.ASCII.GetString(name.Slice(offset + 1, length)));
            offset += length + 1;
        }
        int last = labels.Count - 1;
        // "svc.zone" and "pod.zone" alone name nothing, as in CoreDNS.
        if (last < 1 || labels[last] is not ("svc" or "pod"))
        {
            return default;
        }
        string kind = labels[last];
        string ns = labels[last - 1];
        string? service = last >= 2 ? labels[last - 2] : null;
        return (last - 3) switch
        {
            < 0 => new RequestParts(kind, ns, service, null, null, null),
            0 => new RequestParts(kind, ns, service, labels[0], null, null),
            1 => new RequestParts(kind, ns, service, null, labels[0].TrimStart('_'), labels[1].TrimStart('_')),
            _ => default,
        };
    }
}
