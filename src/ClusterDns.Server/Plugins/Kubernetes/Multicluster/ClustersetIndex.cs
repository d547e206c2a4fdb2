using ClusterDns.Server.Common;

namespace ClusterDns.Server.Plugins.Kubernetes.Multicluster;

/// <summary>
/// The published ServiceImports of the multicluster zones: immutable, swapped whole by
/// <see cref="ClustersetBuilder"/>, found by the same key as the cluster zone's Services (the wire labels
/// <c>name.namespace</c>) with a span lookup that allocates nothing.
/// </summary>
internal sealed class ClustersetIndex
{
    private readonly Dictionary<byte[], ClustersetService>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public ClustersetIndex(Dictionary<byte[], ClustersetService> services, bool synced)
    {
        Services = services;
        Synced = synced;
        _lookup = services.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public static readonly ClustersetIndex Empty = new(new Dictionary<byte[], ClustersetService>(WireNameKeyComparer.Instance), false);

    /// <summary>Both resources have been listed (or found absent): a miss is NXDOMAIN, not SERVFAIL.</summary>
    public bool Synced { get; }

    /// <summary>Never written after publishing; the builder copies it for the next index.</summary>
    public Dictionary<byte[], ClustersetService> Services { get; }

    public ClustersetService? Find(ReadOnlySpan<byte> key) => _lookup.TryGetValue(key, out var service) ? service : null;
}
