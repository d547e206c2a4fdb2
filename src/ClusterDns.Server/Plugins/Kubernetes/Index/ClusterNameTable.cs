using ClusterDns.Server.Common;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Index;

/// <summary>
/// One shard of the cluster index: an open-addressing hash table (linear probing, backward-shift deletion)
/// of <see cref="ClusterEntry"/> blobs, with each slot's hash beside its entry (one cache line for both) so
/// a probe rarely touches a blob that is not the one sought. A published table is never written again: the builder edits a
/// <see cref="Clone"/> and publishes that (copy-on-write per shard).
/// </summary>
internal sealed class ClusterNameTable
{
    private const int MinimumCapacity = 8;

    private Slot[] _slots;
    private int _count;

    private struct Slot
    {
        public byte[]? Entry;
        public int Hash;
    }

    public ClusterNameTable() : this(MinimumCapacity)
    {
    }

    private ClusterNameTable(int capacity)
    {
        _slots = new Slot[capacity];
    }

    public static readonly ClusterNameTable Empty = new();

    public int Count => _count;

    public int Capacity => _slots.Length;

    public ClusterNameTable Clone()
    {
        var copy = new ClusterNameTable(_slots.Length) { _count = _count };
        _slots.CopyTo(copy._slots, 0);
        return copy;
    }

    public byte[]? Find(ReadOnlySpan<byte> lowerName, int hash)
    {
        var slots = _slots;
        int mask = slots.Length - 1;
        for (int slot = SlotOf(hash, mask); ; slot = (slot + 1) & mask)
        {
            ref readonly var candidate = ref slots[slot];
            if (candidate.Entry is null)
            {
                return null;
            }
            if (candidate.Hash == hash && ClusterEntry.NameEquals(candidate.Entry, lowerName))
            {
                return candidate.Entry;
            }
        }
    }

    /// <summary>Adds or replaces the entry for the blob's name.</summary>
    public void Set(byte[] entry, int hash)
    {
        if ((_count + 1) * 4 > _slots.Length * 3)
        {
            Resize(_slots.Length * 2);
        }
        var name = new ClusterEntry(entry).Name;
        int mask = _slots.Length - 1;
        int slot = SlotOf(hash, mask);
        while (_slots[slot].Entry is { } existing)
        {
            if (_slots[slot].Hash == hash && ClusterEntry.NameEquals(existing, name))
            {
                _slots[slot].Entry = entry;
                return;
            }
            slot = (slot + 1) & mask;
        }
        _slots[slot] = new Slot { Entry = entry, Hash = hash };
        _count++;
    }

    public bool Remove(ReadOnlySpan<byte> lowerName, int hash)
    {
        int mask = _slots.Length - 1;
        int slot = SlotOf(hash, mask);
        while (true)
        {
            var entry = _slots[slot].Entry;
            if (entry is null)
            {
                return false;
            }
            if (_slots[slot].Hash == hash && ClusterEntry.NameEquals(entry, lowerName))
            {
                break;
            }
            slot = (slot + 1) & mask;
        }
        // Backward-shift deletion: pull later members of the probe run into the hole, so no tombstones are needed.
        int hole = slot;
        for (int next = (hole + 1) & mask; _slots[next].Entry is not null; next = (next + 1) & mask)
        {
            int home = SlotOf(_slots[next].Hash, mask);
            // Move the entry when its home is not in the cyclic range (hole, next].
            bool homeAfterHole = hole <= next ? home > hole && home <= next : home > hole || home <= next;
            if (!homeAfterHole)
            {
                _slots[hole] = _slots[next];
                hole = next;
            }
        }
        _slots[hole] = default;
        _count--;
        if (_slots.Length > MinimumCapacity && _count * 8 < _slots.Length)
        {
            Resize(_slots.Length / 2);
        }
        return true;
    }

    public IEnumerable<byte[]> Entries()
    {
        foreach (var slot in _slots)
        {
            if (slot.Entry is not null)
            {
                yield return slot.Entry;
            }
        }
    }

    private void Resize(int capacity)
    {
        var old = _slots;
        _slots = new Slot[capacity];
        int mask = capacity - 1;
        foreach (var moved in old)
        {
            if (moved.Entry is not null)
            {
                int slot = SlotOf(moved.Hash, mask);
                while (_slots[slot].Entry is not null)
                {
                    slot = (slot + 1) & mask;
                }
                _slots[slot] = moved;
            }
        }
    }

    /// <summary>Fibonacci hashing: the shard took the low bits of the hash, the slot takes the top bits of the mixed hash.</summary>
    private static int SlotOf(int hash, int mask) => (int)(((uint)hash * 0x9E3779B9u) >> System.Numerics.BitOperations.LeadingZeroCount((uint)mask));

    /// <summary>The hash every shard and slot is derived from.</summary>
    public static int Hash(ReadOnlySpan<byte> lowerName) => WireNameKeyComparer.Hash(lowerName);
}
