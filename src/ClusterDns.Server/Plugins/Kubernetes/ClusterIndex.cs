using ClusterDns.Protocol;
using ClusterDns.Server.Common;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// An immutable snapshot of the cluster zone. The zone builder publishes a new one per batch of changes;
/// a query reads the reference once and uses that one snapshot for its whole answer, without locks.
/// Names are spread over shards so that a change copies one shard, not the whole zone.
/// </summary>
public sealed class ClusterIndex
{
    public const int ShardCount = 256;

    public ClusterIndex(Dictionary<byte[], NameEntry>[] shards, ZoneApex[] apexes, bool synced, uint serial)
    {
        Shards = shards;
        Apexes = apexes;
        Synced = synced;
        Serial = serial;
    }

    public static ClusterIndex Empty(ZoneApex[] apexes) =>
        new(Enumerable.Range(0, ShardCount).Select(_ => new Dictionary<byte[], NameEntry>(WireNameKeyComparer.Instance)).ToArray(), apexes, synced: false, serial: 1);

    internal Dictionary<byte[], NameEntry>[] Shards { get; }

    /// <summary>Per served zone: its SOA and name, in the order of the handler's zones.</summary>
    public ZoneApex[] Apexes { get; }

    /// <summary>True once every source kind has finished its first list: before that, misses are SERVFAIL.</summary>
    public bool Synced { get; }

    /// <summary>SOA serial: a generation counter, changed with every published change.</summary>
    public uint Serial { get; }

    public static int ShardOf(ReadOnlySpan<byte> lowerName) => (WireNameKeyComparer.Hash(lowerName) & 0x7FFFFFFF) % ShardCount;

    public NameEntry? Find(ReadOnlySpan<byte> lowerName)
    {
        var lookup = Shards[ShardOf(lowerName)].GetAlternateLookup<ReadOnlySpan<byte>>();
        return lookup.TryGetValue(lowerName, out var entry) ? entry : null;
    }

    public int NameCount => Shards.Sum(s => s.Count);
}

/// <summary>A served zone's apex and its SOA record in wire form (owner written separately).</summary>
public sealed class ZoneApex
{
    public ZoneApex(DnsName zone, bool isReverse, EncodedRRset soa)
    {
        Zone = zone;
        Wire = zone.ToLower().Wire.ToArray();
        IsReverse = isReverse;
        Soa = soa;
    }

    public DnsName Zone { get; }

    public byte[] Wire { get; }

    public bool IsReverse { get; }

    public EncodedRRset Soa { get; }
}
