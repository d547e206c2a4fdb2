using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json;
using ClusterDns.Corefile;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ClusterDns.Migration;

/// <summary>
/// Reads a kube-dns ConfigMap (as <c>kubectl get configmap kube-dns -n kube-system -o yaml</c> prints it): the
/// JSON values of <c>stubDomains</c> and <c>upstreamNameservers</c>. Everything it cannot translate faithfully
/// (federations, unknown keys, bad addresses) is an error naming the key, never silently dropped.
/// </summary>
internal static class KubeDnsConfigMapReader
{
    /// <summary>kube-dns itself refuses more upstreams than this.</summary>
    private const int MaxUpstreamNameservers = 3;

    public static bool TryRead(string yaml, string clusterDomain, [NotNullWhen(true)] out KubeDnsConfig? config, [NotNullWhen(false)] out string? error)
    {
        config = null;
        error = LoadData(yaml, out var data);
        return error is null && TryReadValues(data, clusterDomain, out config, out error);
    }

    /// <summary>
    /// Reads the ConfigMap's values (from the YAML, or from the files of the folder it is mounted as).
    /// <paramref name="clusterDomain"/> null skips the check that a stub domain lies outside it.
    /// </summary>
    public static bool TryReadValues(IEnumerable<(string Key, string Value)> data, string? clusterDomain, [NotNullWhen(true)] out KubeDnsConfig? config, [NotNullWhen(false)] out string? error)
    {
        config = null;
        error = null;
        var stubDomains = new List<StubDomain>();
        var upstreams = new List<string>();
        foreach (var (key, value) in data)
        {
            error ??= key switch
            {
                "stubDomains" => ReadStubDomains(value, clusterDomain, stubDomains),
                "upstreamNameservers" => ReadUpstreams(value, upstreams),
                "federations" => IsEmptyJson(value) ? null : "federations: kube-dns federation has no equivalent (CoreDNS dropped its federation plugin in 1.7.0 and ClusterDns has none); remove the key, and give the federated zones a stub domain if they must still resolve",
                _ => $"{key}: not a kube-dns setting (expected stubDomains, upstreamNameservers or federations)",
            };
        }

        if (error is not null)
        {
            return false;
        }

        config = new KubeDnsConfig(stubDomains, upstreams);
        return true;
    }

    /// <summary>The ConfigMap's data as (key, value) pairs in file order, or the reason there are none.</summary>
    private static string? LoadData(string yaml, out List<(string Key, string Value)> data)
    {
        data = [];
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException exception)
        {
            return $"not YAML: line {exception.Start.Line}: {exception.Message}";
        }

        var documents = stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }).ToList();
        if (documents.Count != 1 || documents[0].RootNode is not YamlMappingNode root)
        {
            return $"expected one ConfigMap document, found {documents.Count} document(s)";
        }

        string? kind = Scalar(root, "kind");
        if (kind != "ConfigMap")
        {
            return $"expected kind: ConfigMap, found kind: {kind ?? "(none)"}";
        }

        if (!root.Children.TryGetValue(new YamlScalarNode("data"), out var dataNode) || dataNode is YamlScalarNode { Value: null or "" })
        {
            // No data: kube-dns's defaults.
            return null;
        }

        if (dataNode is not YamlMappingNode mapping)
        {
            return $"line {dataNode.Start.Line}: data must be a mapping of keys to strings";
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } || valueNode is not YamlScalarNode value)
            {
                return $"line {keyNode.Start.Line}: data values must be strings";
            }
            data.Add((key, value.Value ?? string.Empty));
        }

        return null;
    }

    private static string? ReadStubDomains(string json, string? clusterDomain, List<StubDomain> stubDomains)
    {
        if (ParseJson(json, "stubDomains", JsonValueKind.Object, out var document) is { } error)
        {
            return error;
        }

        using (document)
        {
            if (document is null)
            {
                return null;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                string where = $"stubDomains[\"{property.Name}\"]";
                if (property.Name.Contains('/', StringComparison.Ordinal))
                {
                    return $"{where}: not a domain name";
                }
                if (!ZoneNames.TryNormalize(property.Name, out var zones, out string? nameError))
                {
                    return $"{where}: {nameError}";
                }

                string domain = zones[0].TrimEnd('.');
                if (domain.Length == 0)
                {
                    return $"{where}: the root is not a stub domain; use upstreamNameservers";
                }
                if (clusterDomain is not null && (domain == clusterDomain || domain.EndsWith("." + clusterDomain, StringComparison.Ordinal)))
                {
                    return $"{where}: lies in the cluster domain {clusterDomain}, which the kubernetes plugin answers";
                }
                if (stubDomains.Exists(s => s.Domain == domain))
                {
                    return $"{where}: {domain} is listed twice";
                }
                if (ReadNameservers(property.Value, where, out var servers) is { } serverError)
                {
                    return serverError;
                }
                stubDomains.Add(new StubDomain(domain, servers));
            }
        }

        return null;
    }

    private static string? ReadUpstreams(string json, List<string> upstreams)
    {
        if (ParseJson(json, "upstreamNameservers", JsonValueKind.Array, out var document) is { } error)
        {
            return error;
        }

        using (document)
        {
            if (document is null)
            {
                return null;
            }
            if (ReadNameservers(document.RootElement, "upstreamNameservers", out var servers) is { } serverError)
            {
                return serverError;
            }
            if (servers.Count > MaxUpstreamNameservers)
            {
                return $"upstreamNameservers: {servers.Count} servers; kube-dns accepts at most {MaxUpstreamNameservers}";
            }
            upstreams.AddRange(servers);
        }

        return null;
    }

    private static string? ReadNameservers(JsonElement array, string where, out List<string> servers)
    {
        servers = [];
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            return $"{where}: expected a non-empty JSON array of nameserver addresses";
        }

        foreach (var item in array.EnumerateArray())
        {
            string? text = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            if (text is null || !IsNameserver(text))
            {
                return $"{where}: {item.GetRawText()} is not a nameserver address (expected IP, IP:PORT or [IPv6]:PORT)";
            }
            servers.Add(text);
        }

        return null;
    }

    /// <summary>kube-dns takes an IP with an optional port; host names were never allowed.</summary>
    private static bool IsNameserver(string text) =>
        IPEndPoint.TryParse(text, out var endPoint)
        && !endPoint.Address.Equals(IPAddress.Any)
        && !endPoint.Address.Equals(IPAddress.IPv6Any)
        && !text.EndsWith(":0", StringComparison.Ordinal);

    /// <summary>Parses a JSON value of the expected kind; an empty value gives no document and no error.</summary>
    private static string? ParseJson(string json, string key, JsonValueKind expected, out JsonDocument? document)
    {
        document = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            return $"{key}: not JSON: {exception.Message}";
        }

        if (parsed.RootElement.ValueKind != expected)
        {
            parsed.Dispose();
            return $"{key}: expected a JSON {(expected == JsonValueKind.Object ? "object of domain: [nameservers]" : "array of nameservers")}";
        }

        document = parsed;
        return null;
    }

    private static bool IsEmptyJson(string json)
    {
        string trimmed = json.Trim();
        return trimmed.Length == 0 || trimmed == "{}";
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;
}
