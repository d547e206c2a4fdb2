using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// An immutable, pre-indexed authoritative zone: owner names as lower-cased wire bytes, RRsets with
/// pre-encoded RDATA, zone cuts and empty non-terminals known in advance. Answering
/// (<see cref="WriteAnswer"/>) follows RFC 1034 §4.3.2 and RFC 2308 and allocates nothing.
/// Reloading builds a new zone and swaps the reference; a zone is never edited in place: <see cref="TryApply"/>
/// builds the next zone sharing every unchanged node with this one.
/// </summary>
public sealed class AuthoritativeZone
{
    private readonly Dictionary<byte[], ZoneNode>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    internal AuthoritativeZone(DnsName origin, Dictionary<byte[], ZoneNode> nodes, int recordCount)
    {
        Origin = origin;
        OriginWire = origin.Wire.ToArray();
        OriginLabels = origin.LabelCount;
        _lookup = nodes.GetAlternateLookup<ReadOnlySpan<byte>>();
        Apex = nodes[OriginWire];
        Soa = Apex.Find(RecordType.SOA)!;
        ApexNs = Apex.Find(RecordType.NS);
        var soaRdata = Soa.Rdata[0];
        int names = RdataWriter.NameLength(soaRdata);
        names += RdataWriter.NameLength(soaRdata.AsSpan(names));
        Serial = BinaryPrimitives.ReadUInt32BigEndian(soaRdata.AsSpan(names));
        uint minimum = BinaryPrimitives.ReadUInt32BigEndian(soaRdata.AsSpan(names + 16));
        NegativeTtl = Math.Min(Soa.Ttl, minimum);
        RecordCount = recordCount;
    }

    /// <summary>The apex, lower-cased.</summary>
    public DnsName Origin { get; }

    public uint Serial { get; }

    /// <summary>TTL of the SOA in negative answers: min(SOA TTL, SOA MINIMUM) (RFC 2308 §3).</summary>
    public uint NegativeTtl { get; }

    /// <summary>Records in the zone after removing duplicates.</summary>
    public int RecordCount { get; }

    internal byte[] OriginWire { get; }

    internal int OriginLabels { get; }

    internal ZoneNode Apex { get; }

    internal ZoneRRset Soa { get; }

    /// <summary>The apex NS RRset (the authority section of positive answers), or null when the zone has none.</summary>
    internal ZoneRRset? ApexNs { get; }

    /// <summary>Every node, the apex and empty non-terminals included, in no particular order (zone transfers).</summary>
    internal IEnumerable<ZoneNode> Nodes => _lookup.Dictionary.Values;

    /// <summary>The node index itself, for <see cref="ZoneEdit"/> to copy (never to change).</summary>
    internal IReadOnlyDictionary<byte[], ZoneNode> NodeMap => _lookup.Dictionary;

    /// <summary>A cursor over this zone's records for a zone transfer: SOA, the apex's other RRsets, then every other name's.</summary>
    public TransferCursor OpenTransfer() => new ZoneFileTransfer(this);

    /// <summary>The node of this exact name (any case), or null; allocates nothing.</summary>
    internal ZoneNode? FindNode(ReadOnlySpan<byte> name) => _lookup.TryGetValue(name, out var node) ? node : null;

    /// <summary>True when <paramref name="name"/> (uncompressed wire form) is at or below the apex.</summary>
    public bool Contains(ReadOnlySpan<byte> name) => WireName.IsSubdomainOf(name, OriginWire);

    /// <summary>
    /// Answers <paramref name="qname"/>/<paramref name="qtype"/> into the answer, authority and additional
    /// sections of <paramref name="writer"/> (positioned after the question). The name must be inside the zone.
    /// </summary>
    /// <summary>True when the answer for <paramref name="qname"/> would be NXDOMAIN with nothing before it (no name, no wildcard).</summary>
    public bool IsNameAbsent(ReadOnlySpan<byte> qname) => ZoneLookup.IsNameAbsent(this, qname);

    public ZoneAnswer WriteAnswer(ReadOnlySpan<byte> qname, RecordType qtype, ref MessageWriter writer) =>
        ZoneLookup.WriteAnswer(this, qname, qtype, ref writer);

    /// <summary>
    /// The next version after IXFR difference sequences (RFC 1995 §4), in time proportional to the change; this zone
    /// is untouched. Fails with a reason when a sequence does not start at the serial reached so far, deletes a record
    /// the zone does not hold, or leaves a zone <see cref="TryCreate"/> would refuse.
    /// </summary>
    public bool TryApply(IReadOnlyList<ZoneDifference> differences, [NotNullWhen(true)] out AuthoritativeZone? next, [NotNullWhen(false)] out string? error) =>
        ZoneEdit.TryApply(this, differences, out next, out error);

    /// <summary>
    /// Builds a zone from records. Fails with a reason when there is no SOA at the apex, a record is outside
    /// the zone or not of class IN, or a CNAME shares its owner with other data.
    /// </summary>
    public static bool TryCreate(DnsName origin, IEnumerable<DnsRecord> records, [NotNullWhen(true)] out AuthoritativeZone? zone, [NotNullWhen(false)] out string? error)
    {
        zone = null;
        origin = origin.ToLower();
        var owners = new Dictionary<byte[], List<(RecordType Type, uint Ttl, List<byte[]> Rdata)>>(WireNameComparer.Instance);
        int recordCount = 0;
        foreach (var record in records)
        {
            if (!ZoneRecordRules.TryCheckRecord(origin, record, out error))
            {
                return false;
            }
            var owner = record.Name.ToLower().Wire.ToArray();
            if (!owners.TryGetValue(owner, out var rrsets))
            {
                owners[owner] = rrsets = new();
            }
            int index = rrsets.FindIndex(r => r.Type == record.Type);
            if (index < 0)
            {
                // The first record of an RRset sets its TTL (RFC 2181 §5.2: one TTL per RRset).
                rrsets.Add((record.Type, record.Ttl, new List<byte[]>()));
                index = rrsets.Count - 1;
            }
            var rdata = record.Data.ToWire();
            var list = rrsets[index].Rdata;
            if (!list.Exists(existing => existing.AsSpan().SequenceEqual(rdata)))
            {
                list.Add(rdata);
                recordCount++;
            }
        }

        if (!owners.TryGetValue(origin.Wire.ToArray(), out var apex) || !apex.Exists(r => r.Type == RecordType.SOA))
        {
            error = $"zone {origin} has no SOA record at its apex";
            return false;
        }
        if (apex.Find(r => r.Type == RecordType.SOA).Rdata.Count != 1)
        {
            error = $"zone {origin} has more than one SOA record";
            return false;
        }
        foreach (var (owner, rrsets) in owners)
        {
            var cname = rrsets.Find(r => r.Type == RecordType.CNAME);
            if (!ZoneRecordRules.TryCheckCname(owner, cname.Rdata?.Count ?? 0, rrsets.Count, out error))
            {
                return false;
            }
        }

        // Every ancestor of an owner down from the apex exists: those without data are empty non-terminals.
        var originWire = origin.Wire.ToArray();
        var children = new Dictionary<byte[], int>(owners.Count, WireNameComparer.Instance);
        foreach (var owner in owners.Keys)
        {
            children[owner] = 0;
        }
        foreach (var owner in owners.Keys)
        {
            var name = owner;
            while (name.Length > originWire.Length)
            {
                name = name.AsSpan(name[0] + 1).ToArray();
                if (!children.TryAdd(name, 0))
                {
                    break;
                }
            }
        }
        var parents = children.GetAlternateLookup<ReadOnlySpan<byte>>();
        foreach (var name in children.Keys.ToArray())
        {
            if (name.Length > originWire.Length)
            {
                var parent = name.AsSpan(name[0] + 1);
                parents[parent] = parents[parent] + 1;
            }
        }

        var nodes = new Dictionary<byte[], ZoneNode>(children.Count, WireNameComparer.Instance);
        foreach (var (name, childCount) in children)
        {
            var built = owners.TryGetValue(name, out var rrsets)
                ? rrsets.Select(r => new ZoneRRset(r.Type, r.Ttl, r.Rdata.ToArray())).ToArray()
                : [];
            nodes[name] = new ZoneNode(name, built, WireName.EqualsIgnoreCase(name, originWire), childCount);
        }

        zone = new AuthoritativeZone(origin, nodes, recordCount);
        error = null;
        return true;
    }
}
