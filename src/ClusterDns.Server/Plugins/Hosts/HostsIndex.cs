using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Hosts;

/// <summary>
/// The hosts entries as an immutable index: name → pre-encoded A and AAAA RDATA, and reverse name → PTR
/// targets. Lookups take spans and allocate nothing. Reload builds a new index and swaps it.
/// </summary>
internal sealed class HostsIndex
{
    private readonly Dictionary<byte[], HostAddresses>.AlternateLookup<ReadOnlySpan<byte>> _names;
    private readonly Dictionary<byte[], byte[][]>.AlternateLookup<ReadOnlySpan<byte>> _reverse;

    /// <summary>Wildcard entries (<c>*.example.com</c>) keyed by their parent (<c>example.com</c>).</summary>
    private readonly Dictionary<byte[], HostAddresses>.AlternateLookup<ReadOnlySpan<byte>> _wildcards;

    private HostsIndex(Dictionary<byte[], HostAddresses> names, Dictionary<byte[], byte[][]> reverse, Dictionary<byte[], HostAddresses> wildcards)
    {
        _names = names.GetAlternateLookup<ReadOnlySpan<byte>>();
        _reverse = reverse.GetAlternateLookup<ReadOnlySpan<byte>>();
        _wildcards = wildcards.GetAlternateLookup<ReadOnlySpan<byte>>();
        NameCount = names.Count + wildcards.Count;
    }

    public int NameCount { get; }

    /// <summary>
    /// The addresses of <paramref name="name"/>: its own entry, else a wildcard entry one label up (<c>*.example.com</c>
    /// matches <c>a.example.com</c>, not <c>example.com</c> nor <c>b.a.example.com</c>), as CoreDNS 1.14's hosts.
    /// </summary>
    public bool TryGetAddresses(ReadOnlySpan<byte> name, out HostAddresses addresses)
    {
        if (_names.TryGetValue(name, out addresses!))
        {
            return true;
        }
        return name.Length > 1 && name[0] != 0 && 1 + name[0] < name.Length
            && _wildcards.TryGetValue(name[(1 + name[0])..], out addresses!);
    }

    public bool TryGetPtrTargets(ReadOnlySpan<byte> reverseName, out byte[][] targets) => _reverse.TryGetValue(reverseName, out targets!);

    /// <summary>Indexes the entries whose names are in <paramref name="zones"/> (others are ignored, as by CoreDNS).</summary>
    public static HostsIndex Build(IEnumerable<HostsEntry> entries, IReadOnlyList<DnsName> zones, bool reverse)
    {
        var v4 = new Dictionary<byte[], List<byte[]>>(WireNameComparer.Instance);
        var v6 = new Dictionary<byte[], List<byte[]>>(WireNameComparer.Instance);
        var ptr = new Dictionary<byte[], List<byte[]>>(WireNameComparer.Instance);
        var wildV4 = new Dictionary<byte[], List<byte[]>>(WireNameComparer.Instance);
        var wildV6 = new Dictionary<byte[], List<byte[]>>(WireNameComparer.Instance);
        foreach (var entry in entries)
        {
            var rdata = entry.Address.GetAddressBytes();
            bool isV4 = entry.Address.AddressFamily == AddressFamily.InterNetwork;
            foreach (var name in entry.Names)
            {
                if (!InZones(name, zones))
                {
                    continue;
                }
                var wire = name.Wire;
                bool wildcard = wire.Length > 2 && wire[0] == 1 && wire[1] == (byte)'*';
                // A wildcard entry is keyed by its parent and gets no PTR (CoreDNS 1.14).
                var key = wildcard ? wire[2..].ToArray() : wire.ToArray();
                var byName = wildcard ? (isV4 ? wildV4 : wildV6) : (isV4 ? v4 : v6);
                var other = wildcard ? (isV4 ? wildV6 : wildV4) : (isV4 ? v6 : v4);
                AddDistinct(byName, key, rdata);
                // Keep both families' keys present so a name known in one family is NODATA in the other.
                if (!other.ContainsKey(key))
                {
                    other[key] = new List<byte[]>();
                }
                if (reverse && !wildcard)
                {
                    AddDistinct(ptr, ReverseNames.Of(entry.Address).Wire.ToArray(), key);
                }
            }
        }
        var names = Freeze(v4, v6);
        var wildcards = Freeze(wildV4, wildV6);
        var reverseIndex = new Dictionary<byte[], byte[][]>(ptr.Count, WireNameComparer.Instance);
        foreach (var (key, targets) in ptr)
        {
            reverseIndex[key] = targets.ToArray();
        }
        return new HostsIndex(names, reverseIndex, wildcards);
    }

    private static Dictionary<byte[], HostAddresses> Freeze(Dictionary<byte[], List<byte[]>> v4, Dictionary<byte[], List<byte[]>> v6)
    {
        var names = new Dictionary<byte[], HostAddresses>(v4.Count, WireNameComparer.Instance);
        foreach (var (key, addresses) in v4)
        {
            names[key] = new HostAddresses(addresses.ToArray(), v6[key].ToArray());
        }
        return names;
    }

    private static bool InZones(DnsName name, IReadOnlyList<DnsName> zones)
    {
        foreach (var zone in zones)
        {
            if (name.IsSubdomainOf(zone))
            {
                return true;
            }
        }
        return false;
    }

    private static void AddDistinct(Dictionary<byte[], List<byte[]>> map, byte[] key, byte[] value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = new List<byte[]>();
        }
        if (!list.Exists(existing => existing.AsSpan().SequenceEqual(value)))
        {
            list.Add(value);
        }
    }
}

/// <summary>A host name's addresses as A and AAAA RDATA (either may be empty).</summary>
internal sealed record HostAddresses(byte[][] V4, byte[][] V6);
