using System.Text;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Index;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// The writer's side of <see cref="PodAddressIndex"/>: each pod change becomes address changes queued for the
/// shard the address hashes to; a publish rebuilds only those shards. Every pod with an address counts for its
/// <c>pods verified</c> name; for autopath only running ones, as in CoreDNS's <c>podWithIP</c> (a pod without a
/// phase, as in a manifest, counts as running). Not thread-safe: the zone's one writer calls it.
/// </summary>
internal sealed class PodAddressBook
{
    private readonly Dictionary<string, int> _namespaceIds = new(StringComparer.Ordinal);
    private readonly List<byte[]> _namespaceLabels = new();
    private readonly List<PodAddressChange>?[] _pending = new List<PodAddressChange>?[PodAddressIndex.ShardCount];
    private int _publishedNamespaces;
    private bool _changed;
    private PodAddressIndex _published = PodAddressIndex.Empty;

    public PodAddressIndex Current => Volatile.Read(ref _published);

    /// <summary>A pod changed from <paramref name="before"/> to <paramref name="after"/> (either may be null).</summary>
    public void Replace(PodObject? before, PodObject? after)
    {
        Queue(before, -1);
        Queue(after, +1);
    }

    private void Queue(PodObject? pod, int delta)
    {
        if (pod is null || pod.PodIPs.Count == 0)
        {
            return;
        }
        int ns = NamespaceId(pod.Namespace);
        if (ns < 0)
        {
            return;
        }
        foreach (var ip in pod.PodIPs)
        {
            if (PodAddressIndex.TryKey(ip, out var key, out bool isV4))
            {
                int shard = PodAddressIndex.ShardOf(key, isV4);
                (_pending[shard] ??= new List<PodAddressChange>()).Add(new PodAddressChange(key, isV4, ns, delta, IsRunning(pod) ? delta : 0));
                _changed = true;
            }
        }
    }

    private const int MaxNamespaces = 1 << 24;

    private static bool IsRunning(PodObject pod) => string.IsNullOrEmpty(pod.Phase) || pod.Phase == "Running";

    /// <summary>Ids are never reused: a namespace's label stays at its id for as long as the process runs.</summary>
    private int NamespaceId(string name)
    {
        if (_namespaceIds.TryGetValue(name, out int id))
        {
            return id;
        }
        if (name.Length is 0 or > 63 || !Ascii.IsValid(name))
        {
            return -1; // not a DNS label: no name of it could be asked
        }
        if (_namespaceLabels.Count >= MaxNamespaces)
        {
            return -1; // the rows' 24-bit id is spent: 16 million namespaces seen by one process
        }
        var label = new byte[name.Length + 1];
        label[0] = (byte)name.Length;
        Encoding.ASCII.GetBytes(name.ToLowerInvariant(), label.AsSpan(1));
        id = _namespaceLabels.Count;
        _namespaceLabels.Add(label);
        _namespaceIds[name] = id;
        return id;
    }

    /// <summary>Publishes the queued changes (a new index sharing every untouched shard); false when none are queued.</summary>
    public bool Publish()
    {
        if (!_changed)
        {
            return false;
        }
        var shards = (PodAddressShard[])_published.Shards.Clone();
        for (int i = 0; i < shards.Length; i++)
        {
            if (_pending[i] is { } changes)
            {
                shards[i] = shards[i].With(changes);
                _pending[i] = null;
            }
        }
        var labels = _namespaceLabels.Count == _publishedNamespaces ? _published.Namespaces : _namespaceLabels.ToArray();
        _publishedNamespaces = labels.Length;
        _changed = false;
        Volatile.Write(ref _published, new PodAddressIndex(shards, labels));
        return true;
    }
}
