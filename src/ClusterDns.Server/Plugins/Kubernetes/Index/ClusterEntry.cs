using System.Buffers.Binary;
using ClusterDns.Server.Plugins.Kubernetes.Binary;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Index;

/// <summary>
/// One name of the cluster zone and everything it holds, in a single byte array (no object graph per name:
/// at 100k Services the zone has 700k names, and an array per name is what keeps it small and cheap to
/// collect). Layout, in <see cref="Binary.BlobWriter"/>'s convention (big-endian), offsets named below:
/// <code>
/// [L] [name, L bytes, lower-case wire]
/// [children u32] [markers u32] [rrset count u8]
/// per RRset: [type u16] [target count u16] [record count u32] [wire length u32] [wire] [target offset u32 × target count]
/// per record, in RRset order: [references u32]
/// </code>
/// The wire of an RRset is answer-ready (<see cref="ClusterRRset"/>). <c>children</c> counts existing names
/// directly below (an empty non-terminal exists through them), <c>markers</c> counts owners that say the
/// name exists without records (a namespace), and each record's <c>references</c> counts the owners that
/// contribute it: the zone builder edits an entry by these counts alone, without a second copy of the records.
/// </summary>
public readonly struct ClusterEntry
{
    /// <summary>After the name: children, markers, RRset count.</summary>
    internal const int ChildrenOffset = 0, MarkersOffset = 4, RRsetCountOffset = 8, HeaderSize = 9;

    /// <summary>Within an RRset: type, target count, record count, wire length, then the wire.</summary>
    internal const int RRsetTypeOffset = 0, RRsetTargetCountOffset = 2, RRsetRecordCountOffset = 4, RRsetWireLengthOffset = 8, RRsetHeaderSize = 12;

    private readonly byte[] _blob;

    internal ClusterEntry(byte[] blob) => _blob = blob;

    public bool IsNull => _blob is null;

    internal byte[] Blob => _blob;

    public ReadOnlySpan<byte> Name => _blob.AsSpan(1, _blob[0]);

    internal int HeaderOffset => 1 + _blob[0];

    public int Children => (int)BinaryPrimitives.ReadUInt32BigEndian(_blob.AsSpan(HeaderOffset + ChildrenOffset));

    public int Markers => (int)BinaryPrimitives.ReadUInt32BigEndian(_blob.AsSpan(HeaderOffset + MarkersOffset));

    public int RRsetCount => _blob[HeaderOffset + RRsetCountOffset];

    internal int FirstRRsetOffset => HeaderOffset + HeaderSize;

    /// <summary>True when the entry's name matches <paramref name="lowerName"/> exactly.</summary>
    public static bool NameEquals(byte[] blob, ReadOnlySpan<byte> lowerName) =>
        blob[0] == lowerName.Length && blob.AsSpan(1, lowerName.Length).SequenceEqual(lowerName);

    /// <summary>The RRset of <paramref name="type"/>, or a null view.</summary>
    public ClusterRRset Find(Protocol.RecordType type)
    {
        int offset = FirstRRsetOffset;
        for (int i = RRsetCount; i > 0; i--)
        {
            var rrset = new ClusterRRset(_blob, offset);
            if (rrset.Type == type)
            {
                return rrset;
            }
            offset = rrset.EndOffset;
        }
        return default;
    }

    /// <summary>The RRset at <paramref name="position"/> (0 ≤ position &lt; <see cref="RRsetCount"/>), in type order.</summary>
    public ClusterRRset RRsetAt(int position)
    {
        int offset = FirstRRsetOffset;
        for (int i = 0; i < position; i++)
        {
            offset = new ClusterRRset(_blob, offset).EndOffset;
        }
        return new ClusterRRset(_blob, offset);
    }
}
