using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Binary;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// A pod as the zone builder keeps it between changes (<c>pods verified</c>): one byte array instead of the
/// converter's object, list, addresses and strings (at 50,000 pods the objects cost ~390 bytes each, the arrays
/// ~40; docs/performance.md, "autopath"). Namespace and name come from its key. Decoded only when its records are
/// generated again and for the state file, which keeps the same fields (<see cref="BlobWriter"/>'s convention):
/// <code>[address count u16] [address: u8 length, bytes]… [phase: optional text] [resourceVersion: text]</code>
/// </summary>
public static class StoredPod
{
    public static byte[] Encode(PodObject pod)
    {
        var writer = new BlobWriter(16);
        writer.Addresses(pod.PodIPs);
        writer.OptionalText(pod.Phase);
        writer.Text(pod.ResourceVersion);
        return writer.ToArray();
    }

    /// <summary>The pod stored under "namespace/name".</summary>
    public static PodObject Decode(string key, byte[] stored)
    {
        int slash = key.IndexOf('/');
        var reader = new BlobReader(stored);
        return new PodObject
        {
            Namespace = key[..slash],
            Name = key[(slash + 1)..],
            PodIPs = reader.Addresses(),
            Phase = reader.OptionalText(),
            ResourceVersion = reader.Text(),
        };
    }
}
