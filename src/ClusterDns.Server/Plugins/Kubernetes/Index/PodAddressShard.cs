namespace ClusterDns.Server.Plugins.Kubernetes.Index;

/// <summary>
/// One shard of the pod address index: rows sorted by address, each an address, a namespace id and how many pods
/// of that namespace hold the address (all of them, for <c>pods verified</c> names, and the running ones, for
/// autopath). IPv4 rows cost 12 bytes (a 4-byte key and one long), IPv6 rows 24; an address held in two namespaces
/// (host-network pods on one node) has two rows. Immutable: a change builds a new shard (a few hundred rows at
/// 50,000 pods), the others are shared.
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

    /// <summary>The namespace id whose running pods hold <paramref name="address"/>; -1 when none or more than one does.</summary>
    public int FindRunning(uint address) => FindRunning(_v4, _v4Rows, address);

    /// <inheritdoc cref="FindRunning(uint)"/>
    public int FindRunning(UInt128 address) => FindRunning(_v6, _v6Rows, address);

    /// <summary>
    /// Whether a pod (any phase) of the namespace whose label is <paramref name="label"/> holds
    /// <paramref name="address"/>; <paramref name="namespaces"/> are the index's labels by id.
    /// </summary>
    public bool Holds(uint address, ReadOnlySpan<byte> label, byte[][] namespaces) => Holds(_v4, _v4Rows, address, label, namespaces);

    /// <inheritdoc cref="Holds(uint, ReadOnlySpan{byte}, byte[][])"/>
    public bool Holds(UInt128 address, ReadOnlySpan<byte> label, byte[][] namespaces) => Holds(_v6, _v6Rows, address, label, namespaces);

    private static int FindRunning<T>(T[] keys, long[] rows, T address) where T : IComparable<T>
    {
        int found = -1;
        for (int i = First(keys, address); i < keys.Length && keys[i].CompareTo(address) == 0; i++)
        {
            if (RunningOf(rows[i]) == 0)
            {
                continue;
            }
            if (found >= 0)
            {
                return -1; // a second namespace on the same address: we cannot tell whose query this is (CoreDNS's host-network case)
            }
            found = NamespaceOf(rows[i]);
        }
        return found;
    }

    private static bool Holds<T>(T[] keys, long[] rows, T address, ReadOnlySpan<byte> label, byte[][] namespaces) where T : IComparable<T>
    {
        for (int i = First(keys, address); i < keys.Length && keys[i].CompareTo(address) == 0; i++)
        {
            if (namespaces[NamespaceOf(rows[i])].AsSpan().SequenceEqual(label))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The first row at or after <paramref name="address"/>.</summary>
    private static int First<T>(T[] keys, T address) where T : IComparable<T>
    {
        int low = 0, high = keys.Length - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (keys[middle].CompareTo(address) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return low;
    }

    /// <summary>A new shard with <paramref name="changes"/> (address, namespace id, pod count deltas) applied.</summary>
    public PodAddressShard With(List<PodAddressChange> changes)
    {
        var counts = new Dictionary<(UInt128 Address, bool IsV4, int Namespace), (int All, int Running)>(Count + changes.Count);
        for (int i = 0; i < _v4.Length; i++)
        {
            counts[(_v4[i], true, NamespaceOf(_v4Rows[i]))] = (AllOf(_v4Rows[i]), RunningOf(_v4Rows[i]));
        }
        for (int i = 0; i < _v6.Length; i++)
        {
            counts[(_v6[i], false, NamespaceOf(_v6Rows[i]))] = (AllOf(_v6Rows[i]), RunningOf(_v6Rows[i]));
        }
        foreach (var change in changes)
        {
            var key = (change.Address, change.IsV4, change.Namespace);
            var (all, running) = counts.GetValueOrDefault(key);
            all += change.AllDelta;
            running += change.RunningDelta;
            if (all > 0)
            {
                counts[key] = (all, running);
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
        foreach (var ((address, isV4, ns), (all, running)) in sorted)
        {
            if (isV4)
            {
                v4[a] = (uint)address;
                v4Rows[a++] = Row(ns, all, running);
            }
            else
            {
                v6[b] = address;
                v6Rows[b++] = Row(ns, all, running);
            }
        }
        return new PodAddressShard(v4, v4Rows, v6, v6Rows);
    }

    // A row: namespace id in the high 24 bits, then all pods and running pods in 20 bits each (a million pods on
    // one address of one namespace is far past any kubelet's max-pods; counts saturate rather than wrap).
    private const int CountBits = 20;
    private const long CountMask = (1L << CountBits) - 1;

    private static long Row(int ns, int all, int running) =>
        ((long)ns << (2 * CountBits)) | (Math.Min(all, CountMask) << CountBits) | Math.Min(running, CountMask);

    private static int NamespaceOf(long row) => (int)(row >>> (2 * CountBits));

    private static int AllOf(long row) => (int)((row >> CountBits) & CountMask);

    private static int RunningOf(long row) => (int)(row & CountMask);
}

/// <summary>One pod address appearing (+1) or going (-1) in a namespace, counted in all pods and, when it runs, in running ones.</summary>
internal readonly record struct PodAddressChange(UInt128 Address, bool IsV4, int Namespace, int AllDelta, int RunningDelta);
