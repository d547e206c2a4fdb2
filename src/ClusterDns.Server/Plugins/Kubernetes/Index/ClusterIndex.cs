using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Index;

/// <summary>
/// An immutable snapshot of the cluster zone. The zone builder publishes a new one per batch of changes;
/// a query reads the reference once and uses that one snapshot for its whole answer, without locks.
/// Names are spread over shards so that a change copies one shard's table, not the whole zone; each name
/// is one <see cref="ClusterEntry"/> byte array. Services are not spread into names: each is one
/// <see cref="ClusterService"/> record in shards of their own, keyed by its name and namespace labels, and
/// the names below <c>svc.zone</c> are answered from it.
/// </summary>
public sealed class ClusterIndex
{
    public const int ShardCount = 256;

    internal ClusterIndex(ClusterNameTable[] shards, ClusterNameTable[] serviceShards, ZoneApex[] apexes, bool synced, uint serial)
    {
        Shards = shards;
        ServiceShards = serviceShards;
        Apexes = apexes;
        Synced = synced;
        Serial = serial;
    }

    public static ClusterIndex Empty(ZoneApex[] apexes) =>
        new(Enumerable.Repeat(ClusterNameTable.Empty, ShardCount).ToArray(), Enumerable.Repeat(ClusterNameTable.Empty, ShardCount).ToArray(),
            apexes, synced: false, serial: 1);

    internal ClusterNameTable[] Shards { get; }

    internal ClusterNameTable[] ServiceShards { get; }

    /// <summary>Per served zone: its SOA and name, in the order of the handler's zones.</summary>
    public ZoneApex[] Apexes { get; }

    /// <summary>True once every source kind has finished its first list: before that, misses are SERVFAIL.</summary>
    public bool Synced { get; }

    /// <summary>SOA serial: a generation counter, changed with every published change.</summary>
    public uint Serial { get; }

    internal static int ShardOf(int hash) => hash & (ShardCount - 1);

    /// <summary>The entry of a lower-case wire name, or a null entry.</summary>
    public ClusterEntry Find(ReadOnlySpan<byte> lowerName)
    {
        int hash = ClusterNameTable.Hash(lowerName);
        var blob = Shards[ShardOf(hash)].Find(lowerName, hash);
        return blob is null ? default : new ClusterEntry(blob);
    }

    /// <summary>The record of the Service whose key (wire labels name, namespace; lower case) is given, or a null one.</summary>
    public ClusterService FindService(ReadOnlySpan<byte> key)
    {
        int hash = ClusterNameTable.Hash(key);
        var blob = ServiceShards[ShardOf(hash)].Find(key, hash);
        return blob is null ? default : new ClusterService(blob);
    }

    /// <summary>
    /// True when <paramref name="lowerName"/> exists in this snapshot, as an entry or as a name of a Service
    /// (tests and diagnostics: it writes the name's records into a scratch message).
    /// </summary>
    public bool Contains(ReadOnlySpan<byte> lowerName)
    {
        ZoneApex? apex = null;
        foreach (var candidate in Apexes)
        {
            if (WireName.IsSubdomainOf(lowerName, candidate.Wire) && (apex is null || candidate.Wire.Length > apex.Wire.Length))
            {
                apex = candidate;
            }
        }
        if (apex is not null && !apex.IsReverse
            && ServiceAnswers.TryLocate(lowerName, lowerName.Length - apex.Wire.Length, out int serviceName, out int keyLength))
        {
            var writer = new MessageWriter(new byte[ushort.MaxValue], ushort.MaxValue);
            var service = FindService(lowerName.Slice(serviceName, keyLength));
            return ServiceAnswers.Write(ref writer, service, lowerName, serviceName, RecordType.ANY, 0, atQuestion: false) != ServiceAnswer.Missing;
        }
        return !Find(lowerName).IsNull;
    }

    /// <summary>Names stored as entries (everything but the names of Services).</summary>
    public int NameCount => Shards.Sum(s => s.Count);

    /// <summary>Services held, hidden ones included.</summary>
    public int ServiceCount => ServiceShards.Sum(s => s.Count);

    /// <summary>Every Service record (the builder's store, tests and diagnostics; not for the query path).</summary>
    public IEnumerable<ClusterService> Services() => ServiceShards.SelectMany(s => s.Entries()).Select(b => new ClusterService(b));

    /// <summary>Every entry (tests and diagnostics; not for the query path).</summary>
    public IEnumerable<ClusterEntry> Entries() => Shards.SelectMany(s => s.Entries()).Select(b => new ClusterEntry(b));
}
