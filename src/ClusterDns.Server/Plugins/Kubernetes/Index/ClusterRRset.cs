using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Index;

/// <summary>
/// A view of one RRset inside a <see cref="ClusterEntry"/> in answer-ready wire form: each record is
/// <c>C0 0C | TYPE | CLASS | TTL | RDLENGTH | RDATA</c>, its owner a pointer to the question, so answering the
/// question's own name is one copy. For other owners (CNAME targets, additional records) the owner is
/// written and the rest copied. Targets (CNAME, NS and SRV names) are kept as offsets into the wire.
/// </summary>
public readonly struct ClusterRRset
{
    private readonly byte[] _blob;
    private readonly int _offset;

    internal ClusterRRset(byte[] blob, int offset)
    {
        _blob = blob;
        _offset = offset;
    }

    public bool IsNull => _blob is null;

    public RecordType Type => (RecordType)BinaryPrimitives.ReadUInt16BigEndian(_blob.AsSpan(_offset + ClusterEntry.RRsetTypeOffset));

    public int TargetCount => BinaryPrimitives.ReadUInt16BigEndian(_blob.AsSpan(_offset + ClusterEntry.RRsetTargetCountOffset));

    public int Count => (int)BinaryPrimitives.ReadUInt32BigEndian(_blob.AsSpan(_offset + ClusterEntry.RRsetRecordCountOffset));

    private int WireLength => (int)BinaryPrimitives.ReadUInt32BigEndian(_blob.AsSpan(_offset + ClusterEntry.RRsetWireLengthOffset));

    private int WireOffset => _offset + ClusterEntry.RRsetHeaderSize;

    /// <summary>All records back to back, owners as pointers to offset 12.</summary>
    public ReadOnlySpan<byte> Wire => _blob.AsSpan(WireOffset, WireLength);

    internal int EndOffset => WireOffset + WireLength + 4 * TargetCount;

    /// <summary>The distinct target name at <paramref name="index"/> (lower-case, uncompressed wire).</summary>
    public ReadOnlySpan<byte> Target(int index)
    {
        int start = (int)BinaryPrimitives.ReadUInt32BigEndian(_blob.AsSpan(WireOffset + WireLength + 4 * index));
        var wire = Wire[start..];
        return wire[..WireName.UncompressedLength(wire)];
    }

    /// <summary>Writes the whole RRset owned by the question name; false (and nothing written) when it does not fit.</summary>
    public bool TryWriteAtQuestion(ref MessageWriter writer, MessageSection section)
    {
        if (!writer.TryWriteBytes(Wire))
        {
            return false;
        }
        AddCount(ref writer, section, Count);
        return true;
    }

    /// <summary>
    /// Writes as many whole records of the RRset as fit (owned by the question name) and returns how many.
    /// For a truncated UDP answer: resolvers that never retry over TCP (musl before 1.2.4) still get addresses.
    /// </summary>
    public int WriteFittingAtQuestion(ref MessageWriter writer, MessageSection section)
    {
        var wire = Wire;
        int written = 0;
        while (written < Count)
        {
            int length = RecordLength(wire);
            if (!writer.TryWriteBytes(wire[..length]))
            {
                break;
            }
            wire = wire[length..];
            written++;
        }
        AddCount(ref writer, section, written);
        return written;
    }

    /// <summary>
    /// Writes as many whole records of the RRset as fit under <paramref name="owner"/> (a CNAME target) and
    /// returns how many: a truncated chase keeps what fits, as an answer at the question does.
    /// </summary>
    public int WriteFittingWithOwner(ref MessageWriter writer, ReadOnlySpan<byte> owner, MessageSection section)
    {
        var wire = Wire;
        int written = 0;
        while (written < Count)
        {
            int length = RecordLength(wire);
            var mark = writer.Mark();
            if (!writer.TryWriteName(owner) || !writer.TryWriteBytes(wire[2..length]))
            {
                writer.Rollback(mark);
                break;
            }
            wire = wire[length..];
            written++;
        }
        AddCount(ref writer, section, written);
        return written;
    }

    /// <summary>Writes the whole RRset under another owner name; false (and nothing written) when it does not fit.</summary>
    public bool TryWriteWithOwner(ref MessageWriter writer, ReadOnlySpan<byte> owner, MessageSection section)
    {
        var mark = writer.Mark();
        var wire = Wire;
        for (int i = 0; i < Count; i++)
        {
            int length = RecordLength(wire);
            // Skip the 2-byte owner pointer of the stored form.
            if (!writer.TryWriteName(owner) || !writer.TryWriteBytes(wire[2..length]))
            {
                writer.Rollback(mark);
                return false;
            }
            wire = wire[length..];
        }
        AddCount(ref writer, section, Count);
        return true;
    }

    /// <summary>Length of the stored record at the start of <paramref name="wire"/>: pointer, fixed fields, RDATA.</summary>
    internal static int RecordLength(ReadOnlySpan<byte> wire) => 12 + BinaryPrimitives.ReadUInt16BigEndian(wire[10..]);

    private static void AddCount(ref MessageWriter writer, MessageSection section, int count)
    {
        switch (section)
        {
            case MessageSection.Answer: writer.AnswerCount += (ushort)count; break;
            case MessageSection.Authority: writer.AuthorityCount += (ushort)count; break;
            default: writer.AdditionalCount += (ushort)count; break;
        }
    }
}
