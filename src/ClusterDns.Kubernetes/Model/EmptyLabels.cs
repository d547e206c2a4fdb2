using System.Collections.ObjectModel;

namespace ClusterDns.Kubernetes;

internal static class EmptyLabels
{
    public static readonly IReadOnlyDictionary<string, string> Instance =
        new ReadOnlyDictionary<string, string>(new Dictionary<string, string>());
}
