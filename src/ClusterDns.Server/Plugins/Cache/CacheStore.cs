using System.Collections.Concurrent;
using ClusterDns.Server.Common;

namespace ClusterDns.Server.Plugins.Cache;

/// <summary>
/// A bounded map from cache key bytes to entries. Reads are lock-free and allocation-free (a span lookup into a
/// <see cref="ConcurrentDictionary{TKey,TValue}"/>); writes take the dictionary's short stripe locks. When full, an
/// arbitrary entry is evicted, as CoreDNS evicts a random one.
/// </summary>
internal sealed class CacheStore
{
    private readonly ConcurrentDictionary<byte[], CacheEntry> _entries;
    private readonly ConcurrentDictionary<byte[], CacheEntry>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private int _count;
    private long _evictions;

    public CacheStore(int capacity)
    {
        Capacity = capacity;
        _entries = new ConcurrentDictionary<byte[], CacheEntry>(WireNameKeyComparer.Instance);
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Capacity { get; }

    public int Count => Volatile.Read(ref _count);

    public long Evictions => Interlocked.Read(ref _evictions);

    public bool TryGet(ReadOnlySpan<byte> key, out CacheEntry entry) => _lookup.TryGetValue(key, out entry!);

    public void Set(ReadOnlySpan<byte> key, CacheEntry entry)
    {
        if (_lookup.TryGetValue(key, out _))
        {
            _lookup[key] = entry;
            return;
        }
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            EvictOne();
        }
        if (!_lookup.TryAdd(key, entry))
        {
            // Another writer stored the same key meanwhile: replace it, and do not count it twice.
            Interlocked.Decrement(ref _count);
            _lookup[key] = entry;
        }
    }

    public void Remove(ReadOnlySpan<byte> key)
    {
        if (_lookup.TryRemove(key, out _, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    public void Clear()
    {
        _entries.Clear();
        Volatile.Write(ref _count, 0);
    }

    private void EvictOne()
    {
        // Skip a few entries so eviction does not always hit the same bucket.
        int skip = Random.Shared.Next(16);
        foreach (var pair in _entries)
        {
            if (skip-- > 0)
            {
                continue;
            }
            if (_entries.TryRemove(pair.Key, out _))
            {
                Interlocked.Decrement(ref _count);
                Interlocked.Increment(ref _evictions);
                return;
            }
        }
        foreach (var pair in _entries)
        {
            if (_entries.TryRemove(pair.Key, out _))
            {
                Interlocked.Decrement(ref _count);
                Interlocked.Increment(ref _evictions);
                return;
            }
        }
    }
}
