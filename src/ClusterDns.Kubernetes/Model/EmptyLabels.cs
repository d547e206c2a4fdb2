using System.Collections.ObjectModel;

namespace ClusterDns.Kubernetes;

/// <summary>The one empty label set objects without labels share.</summary>
public static class EmptyLabels
{
    public static readonly IReadOnlyDictionary<string, string> Instance =
        new ReadOnlyDictionary<string, string>(new Dictionary<string, string>());
}
