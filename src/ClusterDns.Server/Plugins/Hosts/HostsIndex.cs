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

    private HostsIndex(Dictionary<byte[], HostAddresses> names, Dictionary<byte[], byte[][]> reverse)
    {
        _names = names.GetAlternateLookup<ReadOnlySpan<byte>>();
        _reverse = reverse.GetAlternateLookup<ReadOnlySpan<byte>>();
        NameCount = names.Count;
    }

    public int NameCount { get; }

    public bool TryGetAddresses(ReadOnlySpan<byte> name, out HostAddresses addresses) => _names.TryGetValue(name, out addresses!);

    public bool TryGetPtrTargets(ReadOnlySpan<byte> reverseName, out byte[][] targets) => _reverse.TryGetValue(reverseName, out targets!);

    /// <summary>Indexes the entries whose names are in <paramref name="zones"/> (others are ignored, as by CoreDNS).</summary>
    public static HostsIndex Build(IEnumerable<HostsEntry> entries, IReadOnlyList<DnsName> zones, bool reverse)
    {
        var v4 = new Dictionary<byte[], List<byte[]>>(WireNameComparer.Instance);
        var v6 = new Dictionary<byte[], List<byte[]>>(WireNameComparer.Instance);
        var ptr = new Dictionary<byte[], List<byte[]>>(WireNameComparer.Instance);
        foreach (var entry in entries)
        {
            var rdata = entry.Address.GetAddressBytes();
            var byName = entry.Address.AddressFamily == AddressFamily.InterNetwork ? v4 : v6;
            foreach (var name in entry.Names)
            {
                if (!InZones(name, zones))
                {
                    continue;
                }
                var key = name.Wire.ToArray();
                AddDistinct(byName, key, rdata);
                // Keep both families' keys present so a name known in one family is NODATA in the other.
                var other = ReferenceEquals(byName, v4) ? v6 : v4;
                if (!other.ContainsKey(key))
                {
                    other[key] = new List<byte[]>();
                }
                if (reverse)
                {
                    AddDistinct(ptr, ReverseNames.Of(entry.Address).Wire.ToArray(), key);
                }
            }
        }
        var names = new Dictionary<byte[], HostAddresses>(v4.Count, WireNameComparer.Instance);
        foreach (var (key, addresses) in v4)
        {
            names[key] = new HostAddresses(addresses.ToArray(), v6[key].ToArray());
        }
        var reverseIndex = new Dictionary<byte[], byte[][]>(ptr.Count, WireNameComparer.Instance);
        foreach (var (key, targets) in ptr)
        {
            reverseIndex[key] = targets.ToArray();
        }
        return new HostsIndex(names, reverseIndex);
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
