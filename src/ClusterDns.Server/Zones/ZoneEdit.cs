using System.Diagnostics.CodeAnalysis;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// Builds the next version of a zone from the one served and IXFR difference sequences (RFC 1995 §4), in time
/// proportional to the change: the node index is copied (references only), and only the names whose RRsets change,
/// and the ancestors that gain or lose a child, get new nodes; every other <see cref="ZoneNode"/> is shared with the
/// previous zone. Strict as RFC 1995 asks: a sequence must start at the serial reached so far, and a deletion must
/// name a record held (owner, type and RDATA; the TTL is not compared, one TTL per RRset is all a zone holds).
/// </summary>
internal sealed class ZoneEdit
{
    private readonly AuthoritativeZone _from;
    private readonly Dictionary<byte[], EditNode> _touched = new(WireNameComparer.Instance);
    private int _recordCount;

    private ZoneEdit(AuthoritativeZone from)
    {
        _from = from;
        _recordCount = from.RecordCount;
    }

    public static bool TryApply(AuthoritativeZone from, IReadOnlyList<ZoneDifference> differences, [NotNullWhen(true)] out AuthoritativeZone? next, [NotNullWhen(false)] out string? error)
    {
        next = null;
        if (differences.Count == 0)
        {
            // A newer serial with nothing to apply is no version we can build: the caller asks the whole zone.
            error = "an incremental transfer without difference sequences";
            return false;
        }
        var edit = new ZoneEdit(from);
        uint serial = from.Serial;
        foreach (var difference in differences)
        {
            if (difference.FromSerial != serial)
            {
                error = $"a sequence starts at serial {difference.FromSerial}, we are at {serial}";
                return false;
            }
            if (!edit.TryDelete(difference.Deleted, out error) || !edit.TryAdd(difference.Added, out error) || !edit.TrySetSoa(difference.ToSoa, out error))
            {
                return false;
            }
            serial = difference.ToSerial;
        }
        edit.AttachNewNames();
        edit.DetachEmptyNames();
        return edit.TryBuild(out next, out error);
    }

    private bool TryDelete(IReadOnlyList<DnsRecord> deleted, [NotNullWhen(false)] out string? error)
    {
        foreach (var record in deleted)
        {
            if (record.Type == RecordType.SOA)
            {
                error = $"a sequence deletes the SOA '{record}' inside it";
                return false;
            }
            var rrset = record.Class == RecordClass.IN && record.Name.IsSubdomainOf(_from.Origin)
                ? Node(Owner(record)).Find(record.Type)
                : null;
            int index = rrset?.IndexOf(record.Data.ToWire()) ?? -1;
            if (index < 0)
            {
                error = $"it deletes {record}, which we do not hold";
                return false;
            }
            rrset!.Edit().RemoveAt(index);
            _recordCount--;
        }
        error = null;
        return true;
    }

    private bool TryAdd(IReadOnlyList<DnsRecord> added, [NotNullWhen(false)] out string? error)
    {
        foreach (var record in added)
        {
            if (!ZoneRecordRules.TryCheckRecord(_from.Origin, record, out error))
            {
                return false;
            }
            if (record.Type == RecordType.SOA)
            {
                error = $"a sequence adds the SOA '{record}' inside it";
                return false;
            }
            var node = Node(Owner(record));
            var rrset = node.Find(record.Type);
            if (rrset is null)
            {
                rrset = new EditRRset(record.Type, record.Ttl);
                node.RRsets.Add(rrset);
            }
            // One TTL per RRset (RFC 2181 §5.2): the primary's newest record sets it.
            rrset.Ttl = record.Ttl;
            var rdata = record.Data.ToWire();
            if (rrset.IndexOf(rdata) < 0)
            {
                rrset.Edit().Add(rdata);
                _recordCount++;
            }
        }
        error = null;
        return true;
    }

    private bool TrySetSoa(DnsRecord soa, [NotNullWhen(false)] out string? error)
    {
        if (soa.Class != RecordClass.IN || !soa.Name.Equals(_from.Origin))
        {
            error = $"the new SOA '{soa}' is not the SOA of {_from.Origin}";
            return false;
        }
        var rrset = Node(_from.OriginWire).Find(RecordType.SOA)!;
        rrset.Ttl = soa.Ttl;
        var rdata = rrset.Edit();
        rdata.Clear();
        rdata.Add(soa.Data.ToWire());
        error = null;
        return true;
    }

    /// <summary>A name that was not in the zone and now has data: it and the ancestors it lacks come in (empty non-terminals).</summary>
    private void AttachNewNames()
    {
        foreach (var node in _touched.Values.ToArray())
        {
            var name = node;
            while (!name.Present && (name.HasData || name.ChildCount > 0))
            {
                name.Present = true;
                if (name.IsApex)
                {
                    break;
                }
                var parent = Node(Parent(name.Name));
                parent.ChildCount++;
                name = parent;
            }
        }
    }

    /// <summary>A name left without data and without children goes, and so does each ancestor that becomes empty and childless.</summary>
    private void DetachEmptyNames()
    {
        foreach (var node in _touched.Values.ToArray())
        {
            var name = node;
            while (name.Present && !name.IsApex && !name.HasData && name.ChildCount == 0)
            {
                name.Present = false;
                name = Node(Parent(name.Name));
                name.ChildCount--;
            }
        }
    }

    private bool TryBuild([NotNullWhen(true)] out AuthoritativeZone? next, [NotNullWhen(false)] out string? error)
    {
        next = null;
        var nodes = new Dictionary<byte[], ZoneNode>(_from.NodeMap, WireNameComparer.Instance);
        foreach (var node in _touched.Values)
        {
            if (!node.Present)
            {
                nodes.Remove(node.Name);
                continue;
            }
            if (!node.TryBuild(out var built, out error))
            {
                return false;
            }
            nodes[node.Name] = built;
        }
        next = new AuthoritativeZone(_from.Origin, nodes, _recordCount);
        error = null;
        return true;
    }

    /// <summary>The working copy of a name, made from the served node the first time the name is touched.</summary>
    private EditNode Node(byte[] owner)
    {
        if (!_touched.TryGetValue(owner, out var node))
        {
            node = new EditNode(owner, _from.FindNode(owner), WireName.EqualsIgnoreCase(owner, _from.OriginWire));
            _touched[owner] = node;
        }
        return node;
    }

    private static byte[] Owner(DnsRecord record) => record.Name.ToLower().Wire.ToArray();

    private static byte[] Parent(byte[] name) => name.AsSpan(name[0] + 1).ToArray();

    /// <summary>One name being edited: its RRsets, its children, and whether it is in the next zone.</summary>
    private sealed class EditNode
    {
        private readonly ZoneNode? _original;

        public EditNode(byte[] name, ZoneNode? original, bool isApex)
        {
            _original = original;
            Name = original?.Name ?? name;
            IsApex = isApex;
            Present = original is not null;
            ChildCount = original?.ChildCount ?? 0;
            RRsets = new List<EditRRset>(original?.RRsets.Length ?? 1);
            foreach (var rrset in original?.RRsets ?? [])
            {
                RRsets.Add(new EditRRset(rrset));
            }
        }

        public byte[] Name { get; }

        public bool IsApex { get; }

        public bool Present { get; set; }

        public int ChildCount { get; set; }

        public List<EditRRset> RRsets { get; }

        public bool HasData => RRsets.Exists(rrset => rrset.Count > 0);

        public EditRRset? Find(RecordType type) => RRsets.Find(rrset => rrset.Type == type);

        /// <summary>The node for the next zone: the served one itself when nothing in it changed.</summary>
        public bool TryBuild([NotNullWhen(true)] out ZoneNode? node, [NotNullWhen(false)] out string? error)
        {
            node = null;
            var rrsets = new List<ZoneRRset>(RRsets.Count);
            bool changed = _original is null || ChildCount != _original.ChildCount;
            foreach (var edit in RRsets)
            {
                if (edit.Count > 0)
                {
                    var built = edit.Build();
                    changed |= !ReferenceEquals(built, edit.Original);
                    rrsets.Add(built);
                }
            }
            changed |= rrsets.Count != _original?.RRsets.Length;
            var cname = Find(RecordType.CNAME);
            if (!ZoneRecordRules.TryCheckCname(Name, cname?.Count ?? 0, rrsets.Count, out error))
            {
                return false;
            }
            node = changed ? new ZoneNode(Name, rrsets.ToArray(), IsApex, ChildCount) : _original!;
            return true;
        }
    }

    /// <summary>One RRset being edited; its RDATA is copied only when a record of it changes.</summary>
    private sealed class EditRRset
    {
        private List<byte[]>? _rdata;

        public EditRRset(ZoneRRset original)
        {
            Original = original;
            Type = original.Type;
            Ttl = original.Ttl;
        }

        public EditRRset(RecordType type, uint ttl)
        {
            Type = type;
            Ttl = ttl;
            _rdata = new List<byte[]>(1);
        }

        public ZoneRRset? Original { get; }

        public RecordType Type { get; }

        public uint Ttl { get; set; }

        public int Count => _rdata?.Count ?? Original!.Rdata.Length;

        public List<byte[]> Edit() => _rdata ??= new List<byte[]>(Original!.Rdata);

        public int IndexOf(ReadOnlySpan<byte> rdata)
        {
            var records = (IReadOnlyList<byte[]>?)_rdata ?? Original!.Rdata;
            for (int i = 0; i < records.Count; i++)
            {
                if (records[i].AsSpan().SequenceEqual(rdata))
                {
                    return i;
                }
            }
            return -1;
        }

        public ZoneRRset Build() => _rdata is null && Ttl == Original!.Ttl
            ? Original
            : new ZoneRRset(Type, Ttl, _rdata?.ToArray() ?? Original!.Rdata);
    }
}
