using System.Buffers.Binary;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// The zone builder's editable form of one <see cref="ClusterEntry"/>: decoded from the published blob,
/// changed by reference counts (an owner adding or withdrawing a record, a child name appearing or going),
/// and encoded into a new blob. Exists only while a batch is being published.
/// </summary>
internal sealed class ClusterEntryDraft
{
    private readonly List<RRsetDraft> _rrsets = new(2);

    public ClusterEntryDraft(byte[] name)
    {
        Name = name;
        Depth = WireName.CountLabels(name);
    }

    public byte[] Name { get; }

    /// <summary>Labels in <see cref="Name"/>: the builder settles deeper names first, so children are counted before their parents.</summary>
    public int Depth { get; }

    public int Children { get; set; }

    public int Markers { get; set; }

    /// <summary>Whether the name existed in the published index when the draft was made.</summary>
    public bool ExistedBefore { get; private set; }

    public bool Exists
    {
        get
        {
            if (Children > 0 || Markers > 0)
            {
                return true;
            }
            foreach (var rrset in _rrsets)
            {
                if (rrset.LiveCount > 0)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>A draft of a name as published (or of an absent name when <paramref name="blob"/> is null).</summary>
    public static ClusterEntryDraft Load(byte[] name, byte[]? blob)
    {
        var draft = new ClusterEntryDraft(name);
        if (blob is null)
        {
            return draft;
        }
        var entry = new ClusterEntry(blob);
        draft.Children = entry.Children;
        draft.Markers = entry.Markers;
        int referenceOffset = EndOf(blob, entry);
        for (int i = 0; i < entry.RRsetCount; i++)
        {
            var rrset = entry.RRsetAt(i);
            var records = new RRsetDraft(rrset.Type);
            var wire = rrset.Wire;
            for (int r = 0; r < rrset.Count; r++)
            {
                int length = ClusterRRset.RecordLength(wire);
                int references = BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(referenceOffset));
                referenceOffset += 4;
                records.Add(wire[12..length].ToArray(), references);
                wire = wire[length..];
            }
            draft._rrsets.Add(records);
        }
        draft.ExistedBefore = draft.Exists;
        return draft;
    }

    private static int EndOf(byte[] blob, ClusterEntry entry)
    {
        int offset = entry.FirstRRsetOffset;
        for (int i = 0; i < entry.RRsetCount; i++)
        {
            offset = new ClusterRRset(blob, offset).EndOffset;
        }
        return offset;
    }

    /// <summary>Adds <paramref name="delta"/> references to a record (type 0: the existence marker); a record at 0 references is gone.</summary>
    public void Add(RecordType type, byte[] rdata, int delta)
    {
        if (type == ClusterRecord.ExistenceMarker)
        {
            Markers += delta;
            return;
        }
        int position = 0;
        while (position < _rrsets.Count && (ushort)_rrsets[position].Type < (ushort)type)
        {
            position++;
        }
        if (position == _rrsets.Count || _rrsets[position].Type != type)
        {
            if (delta <= 0)
            {
                return;
            }
            _rrsets.Insert(position, new RRsetDraft(type));
        }
        _rrsets[position].Add(rdata, delta);
    }

    /// <summary>Every record with its reference count (tests and diagnostics).</summary>
    public IEnumerable<(RecordType Type, byte[] Rdata, int References)> Records() =>
        _rrsets.SelectMany(rrset => rrset.Live().Select(r => (rrset.Type, r.Rdata, r.References)));

    /// <summary>The blob; <paramref name="ttlOf"/> gives each type's TTL.</summary>
    public byte[] Encode(Func<RecordType, uint> ttlOf)
    {
        var rrsets = _rrsets.Where(r => r.LiveCount > 0).ToArray();
        var targets = rrsets.Select(DistinctTargets).ToArray();
        int size = 1 + Name.Length + 9;
        for (int r = 0; r < rrsets.Length; r++)
        {
            size += ClusterEntry.RRsetHeaderSize + 4 * rrsets[r].LiveCount + 4 * targets[r].Count;
            foreach (var (rdata, _) in rrsets[r].Live())
            {
                size += 12 + rdata.Length;
            }
        }
        var blob = new byte[size];
        blob[0] = (byte)Name.Length;
        Name.CopyTo(blob, 1);
        int offset = 1 + Name.Length;
        BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(offset), Children);
        BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(offset + 4), Markers);
        blob[offset + 8] = (byte)rrsets.Length;
        offset += 9;
        for (int r = 0; r < rrsets.Length; r++)
        {
            var rrset = rrsets[r];
            uint ttl = ttlOf(rrset.Type);
            int wireStart = offset + ClusterEntry.RRsetHeaderSize;
            int position = wireStart;
            foreach (var (rdata, _) in rrset.Live())
            {
                var span = blob.AsSpan(position);
                BinaryPrimitives.WriteUInt16BigEndian(span, 0xC000 | DnsHeader.Size);
                BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)rrset.Type);
                BinaryPrimitives.WriteUInt16BigEndian(span[4..], (ushort)RecordClass.IN);
                BinaryPrimitives.WriteUInt32BigEndian(span[6..], ttl);
                BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)rdata.Length);
                rdata.CopyTo(span[12..]);
                position += 12 + rdata.Length;
            }
            BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(offset), (ushort)rrset.Type);
            BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(offset + 2), (ushort)targets[r].Count);
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(offset + 4), rrset.LiveCount);
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(offset + 8), position - wireStart);
            foreach (int target in targets[r])
            {
                BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(position), target);
                position += 4;
            }
            offset = position;
        }
        foreach (var rrset in rrsets)
        {
            foreach (var (_, references) in rrset.Live())
            {
                BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(offset), references);
                offset += 4;
            }
        }
        return blob;
    }

    /// <summary>
    /// Offsets, within the RRset's wire, of the distinct names its records point at (CNAME, NS, SRV); at most
    /// 65,535 (the count is 16 bits; no message holds that many additional records anyway).
    /// </summary>
    private static List<int> DistinctTargets(RRsetDraft rrset)
    {
        var targets = new List<int>();
        int targetInRdata = rrset.Type switch
        {
            RecordType.CNAME or RecordType.NS => 0,
            RecordType.SRV => 6,
            _ => -1,
        };
        if (targetInRdata < 0)
        {
            return targets;
        }
        var seen = new HashSet<byte[]>(Common.WireNameKeyComparer.Instance);
        int position = 0;
        foreach (var (rdata, _) in rrset.Live())
        {
            if (targets.Count == ushort.MaxValue)
            {
                break;
            }
            if (rdata.Length > targetInRdata && seen.Add(rdata[targetInRdata..]))
            {
                targets.Add(position + 12 + targetInRdata);
            }
            position += 12 + rdata.Length;
        }
        return targets;
    }

    /// <summary>
    /// The records of one type. A record whose references fall to 0 keeps its slot until encoding (so positions
    /// stay valid); large RRsets (headless Services with thousands of endpoints) find a record through an index by
    /// RDATA instead of a scan, so a change costs the same whatever their size.
    /// </summary>
    private sealed class RRsetDraft(RecordType type)
    {
        private const int IndexFrom = 16;

        private readonly List<(byte[] Rdata, int References)> _records = new(1);
        private Dictionary<byte[], int>? _positions;

        public RecordType Type { get; } = type;

        /// <summary>Records with at least one reference.</summary>
        public int LiveCount { get; private set; }

        public IEnumerable<(byte[] Rdata, int References)> Live() => _records.Where(r => r.References > 0);

        public void Add(byte[] rdata, int delta)
        {
            int position = Find(rdata);
            if (position < 0)
            {
                if (delta > 0)
                {
                    _records.Add((rdata, delta));
                    _positions?.Add(rdata, _records.Count - 1);
                    LiveCount++;
                    if (_positions is null && _records.Count >= IndexFrom)
                    {
                        _positions = new Dictionary<byte[], int>(Common.WireNameKeyComparer.Instance);
                        for (int i = 0; i < _records.Count; i++)
                        {
                            _positions[_records[i].Rdata] = i;
                        }
                    }
                }
                return;
            }
            int before = _records[position].References;
            int after = Math.Max(0, before + delta);
            _records[position] = (_records[position].Rdata, after);
            LiveCount += (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
        }

        private int Find(byte[] rdata)
        {
            if (_positions is not null)
            {
                return _positions.TryGetValue(rdata, out int position) ? position : -1;
            }
            for (int i = 0; i < _records.Count; i++)
            {
                if (_records[i].Rdata.AsSpan().SequenceEqual(rdata))
                {
                    return i;
                }
            }
            return -1;
        }
    }
}
