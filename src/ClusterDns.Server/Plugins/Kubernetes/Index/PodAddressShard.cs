namespace ClusterDns.Server.Plugins.Kubernetes.Index;

/// <summary>
/// One shard of the pod address index: rows sorted by address, each an address, a namespace id and how many
/// running pods of that namespace hold the address. IPv4 rows cost 12 bytes (a 4-byte key and one long), IPv6
/// rows 24; an address held in two namespaces (host-network pods on one node) has two rows. Immutable: a
/// change builds a new shard (a few hundred rows at 50,000 pods), the others are shared.
/// </summary>
internal sealed class PodAddressShard
{
    public static readonly PodAddressShard Empty = new([], [], [], []);

    private readonly uint[] _v4;
    private readonly long[] _v4Rows;
    private readonly UInt128[] _v6;
    private readonly long[] _v6Rows;

    private PodAddressShard(uint[] v4, long[] v4Rows, UInt128[] v6, long[] v6Rows)
    {
        _v4 = v4;
        _v4Rows = v4Rows;
        _v6 = v6;
        _v6Rows = v6Rows;
    }

    public int Count => _v4.Length + _v6.Length;

    /// <summary>The namespace id holding <paramref name="address"/>; -1 when none or more than one does.</summary>
    public int Find(uint address) => Find(_v4, _v4Rows, address);

    /// <inheritdoc cref="Find(uint)"/>
    public int Find(UInt128 address) => Find(_v6, _v6Rows, address);

    private static int Find<T>(T[] keys, long[] rows, T address) where T : IComparable<T>
    {
        int low = 0, high = keys.Length - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            int order = keys[middle].CompareTo(address);
            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        if (low >= keys.Length || keys[low].CompareTo(address) != 0)
        {
            return -1;
        }
        // A second namespace on the same address: we cannot tell whose query this is (CoreDNS's host-network case).
        return low + 1 < keys.Length && keys[low + 1].CompareTo(address) == 0 ? -1 : NamespaceOf(rows[low]);
    }

    /// <summary>A new shard with <paramref name="changes"/> (address, namespace id, +1 or -1 pods) applied.</summary>
    public PodAddressShard With(List<PodAddressChange> changes)
    {
        var counts = new Dictionary<(UInt128 Address, bool IsV4, int Namespace), int>(Count + changes.Count);
        for (int i = 0; i < _v4.Length; i++)
        {
            counts[(_v4[i], true, NamespaceOf(_v4Rows[i]))] = PodsOf(_v4Rows[i]);
        }
        for (int i = 0; i < _v6.Length; i++)
        {
            counts[(_v6[i], false, NamespaceOf(_v6Rows[i]))] = PodsOf(_v6Rows[i]);
        }
        foreach (var change in changes)
        {
            var key = (change.Address, change.IsV4, change.Namespace);
            int pods = counts.GetValueOrDefault(key) + change.Delta;
            if (pods > 0)
            {
                counts[key] = pods;
            }
            else
            {
                counts.Remove(key);
            }
        }
        var sorted = counts.OrderBy(c => c.Key.Address).ThenBy(c => c.Key.Namespace).ToArray();
        int v4Count = sorted.Count(c => c.Key.IsV4);
        var v4 = new uint[v4Count];
        var v4Rows = new long[v4Count];
        var v6 = new UInt128[sorted.Length - v4Count];
        var v6Rows = new long[sorted.Length - v4Count];
        int a = 0, b = 0;
        foreach (var ((address, isV4, ns), pods) in sorted)
        {
            if (isV4)
            {
                v4[a] = (uint)address;
                v4Rows[a++] = Row(ns, pods);
            }
            else
            {
                v6[b] = address;
                v6Rows[b++] = Row(ns, pods);
            }
        }
        return new PodAddressShard(v4, v4Rows, v6, v6Rows);
    }

    private static long Row(int ns, int pods) => ((long)ns << 32) | (uint)pods;

    private static int NamespaceOf(long row) => (int)(row >> 32);

    private static int PodsOf(long row) => (int)(uint)row;
}

/// <summary>One pod address appearing (+1) or going (-1) in a namespace.</summary>
internal readonly record struct PodAddressChange(UInt128 Address, bool IsV4, int Namespace, int Delta);
