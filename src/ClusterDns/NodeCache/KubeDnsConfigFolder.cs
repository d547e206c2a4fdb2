using System.Diagnostics.CodeAnalysis;
using ClusterDns.Migration;

namespace ClusterDns.NodeCache;

/// <summary>
/// The kube-dns ConfigMap as the DaemonSet mounts it (<c>-kubednscm</c>): one file per key. node-cache reads
/// <c>stubDomains</c> and <c>upstreamNameservers</c> and nothing else; hidden entries (the kubelet's <c>..data</c>
/// links) are skipped. The values are checked by the same reader as <c>clusterdns corefile --from-kube-dns</c>.
/// </summary>
internal static class KubeDnsConfigFolder
{
    private static readonly string[] Keys = ["stubDomains", "upstreamNameservers"];

    /// <summary>
    /// Reads the folder; <paramref name="text"/> is what was read (to tell a change), <paramref name="error"/> names
    /// the file at fault.
    /// </summary>
    public static bool TryRead(string folder, [NotNullWhen(true)] out KubeDnsConfig? config, out string text, [NotNullWhen(false)] out string? error)
    {
        config = null;
        text = string.Empty;
        if (!Directory.Exists(folder))
        {
            error = $"{folder}: not a directory";
            return false;
        }
        var data = new List<(string Key, string Value)>();
        foreach (string key in Keys)
        {
            string path = Path.Combine(folder, key);
            if (!File.Exists(path))
            {
                continue;
            }
            try
            {
                data.Add((key, File.ReadAllText(path)));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                error = $"{path}: cannot read: {exception.Message}";
                return false;
            }
        }
        text = string.Join("\0", data.Select(d => d.Key + "\0" + d.Value));
        if (!KubeDnsConfigMapReader.TryReadValues(data, clusterDomain: null, out config, out error))
        {
            // The reader's messages start with the key, which is the file's name here.
            error = Path.Combine(folder, error);
            return false;
        }
        return true;
    }
}
