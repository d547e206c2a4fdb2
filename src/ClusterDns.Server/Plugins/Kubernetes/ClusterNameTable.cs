using ClusterDns.Server.Common;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// One shard of the cluster index: an open-addressing hash table (linear probing, backward-shift deletion)
/// of <see cref="ClusterEntry"/> blobs, with each slot's hash beside it so a probe rarely touches a blob
/// that is not the one sought. A published table is never written again: the builder edits a
/// <see cref="Clone"/> and publishes that (copy-on-write per shard).
/// </summary>
internal sealed class ClusterNameTable
{
    private const int MinimumCapacity = 8;

    private int[] _hashes;
    private byte[]?[] _entries;
    private int _count;

    public ClusterNameTable() : this(MinimumCapacity)
    {
    }

    private ClusterNameTable(int capacity)
    {
        _hashes = new int[capacity];
        _entries = new byte[capacity][];
    }

    public static readonly ClusterNameTable Empty = new();

    public int Count => _count;

    public int Capacity => _entries.Length;

    public ClusterNameTable Clone()
    {
        var copy = new ClusterNameTable(_entries.Length) { _count = _count };
        _hashes.CopyTo(copy._hashes, 0);
        _entries.CopyTo(copy._entries, 0);
        return copy;
    }

    public byte[]? Find(ReadOnlySpan<byte> lowerName, int hash)
    {
        var entries = _entries;
        var hashes = _hashes;
        int mask = entries.Length - 1;
        for (int slot = SlotOf(hash, mask); ; slot = (slot + 1) & mask)
        {
            var entry = entries[slot];
            if (entry is null)
            {
                return null;
            }
            if (hashes[slot] == hash && ClusterEntry.NameEquals(entry, lowerName))
            {
                return entry;
            }
        }
    }

    /// <summary>Adds or replaces the entry for the blob's name.</summary>
    public void Set(byte[] entry, int hash)
    {
        if ((_count + 1) * 4 > _entries.Length * 3)
        {
            Resize(_entries.Length * 2);
        }
        var name = new ClusterEntry(entry).Name;
        int mask = _entries.Length - 1;
        int slot = SlotOf(hash, mask);
        while (_entries[slot] is { } existing)
        {
            if (_hashes[slot] == hash && ClusterEntry.NameEquals(existing, name))
            {
                _entries[slot] = entry;
                return;
            }
            slot = (slot + 1) & mask;
        }
        _entries[slot] = entry;
        _hashes[slot] = hash;
        _count++;
    }

    public bool Remove(ReadOnlySpan<byte> lowerName, int hash)
    {
        int mask = _entries.Length - 1;
        int slot = SlotOf(hash, mask);
        while (true)
        {
            var entry = _entries[slot];
            if (entry is null)
            {
                return false;
            }
            if (_hashes[slot] == hash && ClusterEntry.NameEquals(entry, lowerName))
            {
                break;
            }
            slot = (slot + 1) & mask;
        }
        // Backward-shift deletion: pull later members of the probe run into the hole, so no tombstones are needed.
        int hole = slot;
        for (int next = (hole + 1) & mask; _entries[next] is not null; next = (next + 1) & mask)
        {
            int home = SlotOf(_hashes[next], mask);
            // Move the entry when its home is not in the cyclic range (hole, next].
            bool homeAfterHole = hole <= next ? home > hole && home <= next : home > hole || home <= next;
            if (!homeAfterHole)
            {
                _entries[hole] = _entries[next];
                _hashes[hole] = _hashes[next];
                hole = next;
            }
        }
        _entries[hole] = null;
        _hashes[hole] = 0;
        _count--;
        if (_entries.Length > MinimumCapacity && _count * 8 < _entries.Length)
        {
            Resize(_entries.Length / 2);
        }
        return true;
    }

    public IEnumerable<byte[]> Entries()
    {
        foreach (var entry in _entries)
        {
            if (entry is not null)
            {
                yield return entry;
            }
        }
    }

    private void Resize(int capacity)
    {
        var oldEntries = _entries;
        var oldHashes = _hashes;
        _entries = new byte[capacity][];
        _hashes = new int[capacity];
        int mask = capacity - 1;
        for (int i = 0; i < oldEntries.Length; i++)
        {
            if (oldEntries[i] is { } entry)
            {
                int slot = SlotOf(oldHashes[i], mask);
                while (_entries[slot] is not null)
                {
                    slot = (slot + 1) & mask;
                }
                _entries[slot] = entry;
                _hashes[slot] = oldHashes[i];
            }
        }
    }

    /// <summary>Fibonacci hashing: the shard took the low bits of the hash, the slot takes the top bits of the mixed hash.</summary>
    private static int SlotOf(int hash, int mask) => (int)(((uint)hash * 0x9E3779B9u) >> System.Numerics.BitOperations.LeadingZeroCount((uint)mask));

    /// <summary>The hash every shard and slot is derived from.</summary>
    public static int Hash(ReadOnlySpan<byte> lowerName) => WireNameKeyComparer.Hash(lowerName);
}
