using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ClusterDns.Kubernetes.Connection;

/// <summary>
/// The kubeconfig fields kubectl honours that the client library's model drops: the cluster's
/// <c>proxy-url</c> and the user's <c>tokenFile</c>. Read from the same file by name.
/// </summary>
internal readonly record struct KubeConfigExtras(string? ProxyUrl, string? TokenFile)
{
    public static KubeConfigExtras Read(string path, string clusterName, string userName)
    {
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path)) stream.Load(reader);
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return default;
            var cluster = FindNamed(root, "clusters", "cluster", clusterName);
            var user = FindNamed(root, "users", "user", userName);
            return new KubeConfigExtras(cluster is null ? null : Scalar(cluster, "proxy-url"), user is null ? null : Scalar(user, "tokenFile"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or YamlException)
        {
            // The library has read this file already; a failure here leaves only the extras unread.
            return default;
        }
    }

    private static YamlMappingNode? FindNamed(YamlMappingNode root, string listName, string innerName, string name)
    {
        if (!root.Children.TryGetValue(listName, out var list) || list is not YamlSequenceNode sequence) return null;
        foreach (var item in sequence)
        {
            if (item is YamlMappingNode entry && Scalar(entry, "name") == name
                && entry.Children.TryGetValue(innerName, out var inner) && inner is YamlMappingNode mapping)
            {
                return mapping;
            }
        }

        return null;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode { Value: { Length: > 0 } text } ? text : null;
}
