using ClusterDns.Protocol;
using ClusterDns.Server.Common;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// One publish's edit of the index: owners' records are added and withdrawn by reference counts on drafts of
/// the names involved (<see cref="ClusterEntryDraft"/>), names that appear or go settle their parents' child
/// counts, and the shards with changed names or Services are copied from the published index and edited
/// (copy-on-write: every other shard is shared with it). Used once, by the one writer.
/// </summary>
internal sealed class IndexEdit
{
    private readonly ClusterIndex _published;
    private readonly Dictionary<byte[], ClusterEntryDraft> _drafts = new(WireNameKeyComparer.Instance);
    private readonly List<ClusterEntryDraft>?[] _byDepth = new List<ClusterEntryDraft>?[WireName.MaxLength];
    private readonly ClusterNameTable[] _serviceShards;
    private readonly bool[] _serviceShardCopied = new bool[ClusterIndex.ShardCount];
    private readonly List<byte[]> _changedServices = new();

    public IndexEdit(ClusterIndex published)
    {
        _published = published;
        _serviceShards = (ClusterNameTable[])published.ServiceShards.Clone();
    }

    /// <summary>Adds (+1) or withdraws (-1) one owner's records.</summary>
    public void Apply(List<ClusterRecord> records, int delta)
    {
        foreach (var record in records)
        {
            Draft(record.Name).Add(record.Type, record.Rdata, delta);
        }
    }

    /// <summary>The record of the Service with <paramref name="key"/> as published in this edit so far.</summary>
    public byte[]? FindService(byte[] key)
    {
        int hash = ClusterNameTable.Hash(key);
        return _serviceShards[ClusterIndex.ShardOf(hash)].Find(key, hash);
    }

    /// <summary>Names whose records or children this edit touched (their records may be unchanged after all).</summary>
    public IReadOnlyCollection<byte[]> TouchedNames => _drafts.Keys;

    /// <summary>Keys of the Services this edit stored or removed.</summary>
    public IReadOnlyList<byte[]> TouchedServices => _changedServices;

    /// <summary>Stores a Service's new record (null: the Service is gone).</summary>
    public void SetService(byte[] key, byte[]? record)
    {
        _changedServices.Add(key);
        int hash = ClusterNameTable.Hash(key);
        int shard = ClusterIndex.ShardOf(hash);
        if (!_serviceShardCopied[shard])
        {
            _serviceShards[shard] = _serviceShards[shard].Clone();
            _serviceShardCopied[shard] = true;
        }
        if (record is not null)
        {
            _serviceShards[shard].Set(record, hash);
        }
        else
        {
            _serviceShards[shard].Remove(key, hash);
        }
    }

    /// <summary>
    /// A name that appears or goes changes its parent's count of children, deepest names first, so that an
    /// empty non-terminal exists exactly while something below it does. Apexes have no parent of ours, and a
    /// parent outside every served zone is not ours to count.
    /// </summary>
    public void SettleChildren(Func<byte[], bool> isApex, Func<byte[], bool> isServed)
    {
        for (int depth = _byDepth.Length - 1; depth > 0; depth--)
        {
            if (_byDepth[depth] is not { } level)
            {
                continue;
            }
            foreach (var draft in level)
            {
                if (draft.Exists == draft.ExistedBefore || isApex(draft.Name))
                {
                    continue;
                }
                var parent = draft.Name.AsSpan(draft.Name[0] + 1).ToArray();
                if (isServed(parent))
                {
                    Draft(parent).Children += draft.Exists ? 1 : -1;
                }
            }
        }
    }

    /// <summary>The edited name and Service shards: changed ones copied and edited, the rest shared.</summary>
    public (ClusterNameTable[] Names, ClusterNameTable[] Services) Commit(Func<RecordType, uint> ttlOf)
    {
        var shards = (ClusterNameTable[])_published.Shards.Clone();
        var copied = new bool[ClusterIndex.ShardCount];
        foreach (var draft in _drafts.Values)
        {
            if (!draft.Exists && !draft.ExistedBefore)
            {
                continue;
            }
            int hash = ClusterNameTable.Hash(draft.Name);
            int shard = ClusterIndex.ShardOf(hash);
            if (!copied[shard])
            {
                shards[shard] = shards[shard].Clone();
                copied[shard] = true;
            }
            if (draft.Exists)
            {
                shards[shard].Set(draft.Encode(ttlOf), hash);
            }
            else
            {
                shards[shard].Remove(draft.Name, hash);
            }
        }
        return (shards, _serviceShards);
    }

    private ClusterEntryDraft Draft(byte[] name)
    {
        if (!_drafts.TryGetValue(name, out var draft))
        {
            int hash = ClusterNameTable.Hash(name);
            draft = ClusterEntryDraft.Load(name, _published.Shards[ClusterIndex.ShardOf(hash)].Find(name, hash));
            _drafts[name] = draft;
            (_byDepth[draft.Depth] ??= new List<ClusterEntryDraft>()).Add(draft);
        }
        return draft;
    }
}
