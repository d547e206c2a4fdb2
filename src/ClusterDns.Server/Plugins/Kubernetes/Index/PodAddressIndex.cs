using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Server.Plugins.Kubernetes.Index;

/// <summary>
/// The published address → namespace index of pods (<c>pods verified</c>): it answers <c>a-b-c-d.ns.pod.zone</c>
/// (a pod of <c>ns</c> holds the address) and, for autopath, finds a client's namespace (the running pod holding
/// its address). CoreDNS keeps every Pod object for this; we keep 12 bytes per IPv4 pod in 256 immutable shards,
/// swapped by the one writer like the zone index, so a query needs one binary search and no allocation.
/// </summary>
public sealed class PodAddressIndex
{
    public const int ShardCount = 256;

    public static readonly PodAddressIndex Empty = new(Enumerable.Repeat(PodAddressShard.Empty, ShardCount).ToArray(), []);

    private readonly PodAddressShard[] _shards;

    /// <summary>Namespace labels by id (wire form: length byte first).</summary>
    private readonly byte[][] _namespaces;

    internal PodAddressIndex(PodAddressShard[] shards, byte[][] namespaces)
    {
        _shards = shards;
        _namespaces = namespaces;
    }

    internal PodAddressShard[] Shards => _shards;

    internal byte[][] Namespaces => _namespaces;

    /// <summary>Rows in the index (an address held in two namespaces counts twice).</summary>
    public int Count => _shards.Sum(s => s.Count);

    /// <summary>The namespace label of the one namespace whose running pods hold the client's address.</summary>
    public bool TryGetNamespace(SocketAddress client, out ReadOnlySpan<byte> label)
    {
        label = default;
        var raw = client.Buffer.Span[..client.Size];
        int ns;
        if (client.Family == AddressFamily.InterNetwork && raw.Length >= 8)
        {
            ns = FindV4(BinaryPrimitives.ReadUInt32BigEndian(raw[4..]));
        }
        else if (client.Family == AddressFamily.InterNetworkV6 && raw.Length >= 24)
        {
            var v6 = BinaryPrimitives.ReadUInt128BigEndian(raw[8..]);
            ns = IsV4Mapped(v6) ? FindV4((uint)v6) : _shards[ShardOf(v6)].FindRunning(v6);
        }
        else
        {
            return false;
        }
        if ((uint)ns >= (uint)_namespaces.Length)
        {
            return false;
        }
        label = _namespaces[ns];
        return true;
    }

    /// <summary>The namespace of <paramref name="address"/>, or null (tests, logs).</summary>
    public string? NamespaceOf(IPAddress address)
    {
        var socket = new IPEndPoint(address, 0).Serialize();
        return TryGetNamespace(socket, out var label) ? System.Text.Encoding.ASCII.GetString(label[1..]) : null;
    }

    private int FindV4(uint address) => _shards[ShardOf(address)].FindRunning(address);

    /// <summary>
    /// Whether a pod of the namespace labelled <paramref name="namespaceLabel"/> (wire form, lower case) holds the
    /// address in <paramref name="address"/> (4 or 16 bytes, network order).
    /// </summary>
    public bool Holds(ReadOnlySpan<byte> address, ReadOnlySpan<byte> namespaceLabel)
    {
        if (address.Length == 4)
        {
            uint v4 = BinaryPrimitives.ReadUInt32BigEndian(address);
            return _shards[ShardOf(v4)].Holds(v4, namespaceLabel, _namespaces);
        }
        if (address.Length != 16)
        {
            return false;
        }
        var v6 = BinaryPrimitives.ReadUInt128BigEndian(address);
        return IsV4Mapped(v6)
            ? _shards[ShardOf((uint)v6)].Holds((uint)v6, namespaceLabel, _namespaces)
            : _shards[ShardOf(v6)].Holds(v6, namespaceLabel, _namespaces);
    }

    /// <summary>The key of a pod address: IPv4 (also IPv4-mapped) as its 32 bits, IPv6 as 128.</summary>
    internal static bool TryKey(IPAddress address, out UInt128 key, out bool isV4)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            key = default;
            isV4 = false;
            return false;
        }
        if (written == 4)
        {
            key = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            isV4 = true;
            return true;
        }
        key = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        isV4 = IsV4Mapped(key);
        if (isV4)
        {
            key = (uint)key;
        }
        return true;
    }

    internal static int ShardOf(uint address) => (int)((address * 2654435761u) >> 24);

    internal static int ShardOf(UInt128 address) => ShardOf((uint)address ^ (uint)(address >> 32) ^ (uint)(address >> 64) ^ (uint)(address >> 96));

    internal static int ShardOf(UInt128 key, bool isV4) => isV4 ? ShardOf((uint)key) : ShardOf(key);

    private static bool IsV4Mapped(UInt128 v6) => (v6 >> 32) == 0xFFFF;
}
