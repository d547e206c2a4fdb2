using System.Buffers.Binary;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// One name of the cluster zone and everything it holds, in a single byte array (no object graph per name:
/// at 100k Services the zone has 700k names, and an array per name is what keeps it small and cheap to
/// collect). Layout, integers little-endian:
/// <code>
/// [L] [name, L bytes, lower-case wire]
/// [children i32] [markers i32] [rrset count u8]
/// per RRset: [type u16] [target count u16] [record count i32] [wire length i32] [wire] [target offset i32 × target count]
/// per record, in RRset order: [references i32]
/// </code>
/// The wire of an RRset is answer-ready (<see cref="ClusterRRset"/>). <c>children</c> counts existing names
/// directly below (an empty non-terminal exists through them), <c>markers</c> counts owners that say the
/// name exists without records (a namespace), and each record's <c>references</c> counts the owners that
/// contribute it: the zone builder edits an entry by these counts alone, without a second copy of the records.
/// </summary>
public readonly struct ClusterEntry
{
    internal const int RRsetHeaderSize = 12;

    private readonly byte[] _blob;

    internal ClusterEntry(byte[] blob) => _blob = blob;

    public bool IsNull => _blob is null;

    internal byte[] Blob => _blob;

    public ReadOnlySpan<byte> Name => _blob.AsSpan(1, _blob[0]);

    internal int HeaderOffset => 1 + _blob[0];

    public int Children => BinaryPrimitives.ReadInt32LittleEndian(_blob.AsSpan(HeaderOffset));

    public int Markers => BinaryPrimitives.ReadInt32LittleEndian(_blob.AsSpan(HeaderOffset + 4));

    public int RRsetCount => _blob[HeaderOffset + 8];

    internal int FirstRRsetOffset => HeaderOffset + 9;

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
