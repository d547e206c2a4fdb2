namespace ClusterDns.Kubernetes;

public sealed class NamespaceObject
{
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels.Instance;
    public string ResourceVersion { get; init; } = "";

    public string Key => Name;
}
