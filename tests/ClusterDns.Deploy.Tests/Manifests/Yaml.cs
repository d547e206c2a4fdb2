using System.Text;
using YamlDotNet.RepresentationModel;

namespace ClusterDns.Deploy.Tests.Manifests;

/// <summary>Reading Kubernetes objects as YAML trees: load documents, walk paths, compare structurally.</summary>
internal static class Yaml
{
    public static List<YamlMappingNode> LoadDocuments(string text, string source)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var documents = new List<YamlMappingNode>();
        foreach (var document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlMappingNode mapping:
                    documents.Add(mapping);
                    break;
                case YamlScalarNode { Value: null or "" }:
                    break;
                default:
                    throw new InvalidDataException($"{source}: line {document.RootNode.Start.Line}: a document is not a mapping");
            }
        }
        return documents;
    }

    public static YamlNode? Find(this YamlNode node, params string[] path)
    {
        YamlNode? current = node;
        foreach (string key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out current))
            {
                return null;
            }
        }
        return current;
    }

    public static string? Text(this YamlNode node, params string[] path) => (node.Find(path) as YamlScalarNode)?.Value;

    public static YamlMappingNode Map(this YamlNode node, params string[] path) =>
        node.Find(path) as YamlMappingNode ?? throw new KeyNotFoundException($"no mapping at {string.Join('.', path)}");

    public static IReadOnlyList<YamlNode> Seq(this YamlNode node, params string[] path) =>
        (node.Find(path) as YamlSequenceNode)?.Children.ToList() ?? [];

    public static IReadOnlyList<string> Texts(this YamlNode node, params string[] path) =>
        node.Seq(path).Select(n => ((YamlScalarNode)n).Value ?? string.Empty).ToList();

    public static Dictionary<string, string> StringMap(this YamlNode node, params string[] path) =>
        node.Find(path) is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? string.Empty)
            : [];

    public static string Kind(this YamlNode node) => node.Text("kind") ?? string.Empty;

    public static string Name(this YamlNode node) => node.Text("metadata", "name") ?? string.Empty;

    /// <summary>"Kind namespace/name": how kubectl identifies an object.</summary>
    public static string Identity(this YamlNode node) => $"{node.Kind()} {node.Text("metadata", "namespace") ?? "-"}/{node.Name()}";

    /// <summary>A text form equal for equal trees whatever the key order and quoting.</summary>
    public static string Canonical(this YamlNode node)
    {
        var text = new StringBuilder();
        Write(node, text);
        return text.ToString();
    }

    private static void Write(YamlNode node, StringBuilder text)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                text.Append('"').Append(scalar.Value).Append('"');
                break;
            case YamlSequenceNode sequence:
                text.Append('[');
                foreach (var child in sequence.Children)
                {
                    Write(child, text);
                    text.Append(',');
                }
                text.Append(']');
                break;
            case YamlMappingNode mapping:
                text.Append('{');
                foreach (var (key, value) in mapping.Children.OrderBy(p => ((YamlScalarNode)p.Key).Value, StringComparer.Ordinal))
                {
                    text.Append(((YamlScalarNode)key).Value).Append(':');
                    Write(value, text);
                    text.Append(',');
                }
                text.Append('}');
                break;
        }
    }
}
