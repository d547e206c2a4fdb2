using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Binary;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Index;

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
                int references = (int)BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(referenceOffset));
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

    /// <summary>The blob (<see cref="ClusterEntry"/>'s layout); <paramref name="ttlOf"/> gives each type's TTL.</summary>
    public byte[] Encode(Func<RecordType, uint> ttlOf)
    {
        var rrsets = _rrsets.Where(r => r.LiveCount > 0).ToArray();
        var targets = rrsets.Select(DistinctTargets).ToArray();
        // Sized exactly, so the writer's buffer is the entry (no copy): header, RRsets, one reference count per record.
        int size = 1 + Name.Length + ClusterEntry.HeaderSize;
        for (int r = 0; r < rrsets.Length; r++)
        {
            size += ClusterEntry.RRsetHeaderSize + 4 * targets[r].Count + 4 * rrsets[r].LiveCount;
            foreach (var (rdata, _) in rrsets[r].Live())
            {
                size += 12 + rdata.Length;
            }
        }
        var blob = new BlobWriter(size);
        blob.ShortBytes(Name);
        blob.U32((uint)Children);
        blob.U32((uint)Markers);
        blob.U8((byte)rrsets.Length);
        Span<byte> fixedFields = stackalloc byte[12];
        for (int r = 0; r < rrsets.Length; r++)
        {
            var rrset = rrsets[r];
            uint ttl = ttlOf(rrset.Type);
            blob.U16((ushort)rrset.Type);
            blob.U16(targets[r].Count);
            blob.Count(rrset.LiveCount);
            int wireLengthAt = blob.Position;
            blob.U32(0);
            int wireStart = blob.Position;
            foreach (var (rdata, _) in rrset.Live())
            {
                // Answer-ready: the owner a pointer to the question, then the record's fixed fields (DNS wire order).
                BinaryPrimitives.WriteUInt16BigEndian(fixedFields, 0xC000 | DnsHeader.Size);
                BinaryPrimitives.WriteUInt16BigEndian(fixedFields[2..], (ushort)rrset.Type);
                BinaryPrimitives.WriteUInt16BigEndian(fixedFields[4..], (ushort)RecordClass.IN);
                BinaryPrimitives.WriteUInt32BigEndian(fixedFields[6..], ttl);
                BinaryPrimitives.WriteUInt16BigEndian(fixedFields[10..], (ushort)rdata.Length);
                blob.Bytes(fixedFields);
                blob.Bytes(rdata);
            }
            blob.U32At(wireLengthAt, (uint)(blob.Position - wireStart));
            foreach (int target in targets[r])
            {
                blob.U32((uint)target);
            }
        }
        foreach (var rrset in rrsets)
        {
            foreach (var (_, references) in rrset.Live())
            {
                blob.U32((uint)references);
            }
        }
        return blob.ToArray();
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
