using System.Buffers.Binary;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// One RRset in answer-ready wire form: each record is <c>C0 0C | TYPE | CLASS | TTL | RDLENGTH | RDATA</c>,
/// i.e. with its owner as a pointer to the question, so answering the question's own name is one copy.
/// For other owners (CNAME targets, additional records) the owner is written and the rest copied.
/// </summary>
public sealed class EncodedRRset
{
    private EncodedRRset(RecordType type, byte[] wire, int[] offsets, byte[][] targets)
    {
        Type = type;
        Wire = wire;
        Offsets = offsets;
        Targets = targets;
    }

    public RecordType Type { get; }

    /// <summary>All records back to back, owners as pointers to offset 12.</summary>
    public byte[] Wire { get; }

    /// <summary>Where each record starts in <see cref="Wire"/>.</summary>
    public int[] Offsets { get; }

    public int Count => Offsets.Length;

    /// <summary>Lower-case wire names the records point at (CNAME target; SRV targets, distinct), for chasing and additional records.</summary>
    public byte[][] Targets { get; }

    public ReadOnlySpan<byte> Record(int index)
    {
        int start = Offsets[index];
        int end = index + 1 < Offsets.Length ? Offsets[index + 1] : Wire.Length;
        return Wire.AsSpan(start, end - start);
    }

    public static EncodedRRset Create(RecordType type, uint ttl, IReadOnlyList<byte[]> rdatas, IReadOnlyList<byte[]> targets)
    {
        int size = 0;
        foreach (var rdata in rdatas)
        {
            size += 12 + rdata.Length;
        }
        var wire = new byte[size];
        // One record (the common case) shares one offsets array: the index holds an RRset per name and type.
        var offsets = rdatas.Count == 1 ? SingleRecordOffsets : new int[rdatas.Count];
        int position = 0;
        for (int i = 0; i < rdatas.Count; i++)
        {
            if (!ReferenceEquals(offsets, SingleRecordOffsets))
            {
                offsets[i] = position;
            }
            var span = wire.AsSpan(position);
            BinaryPrimitives.WriteUInt16BigEndian(span, 0xC000 | DnsHeader.Size);
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)type);
            BinaryPrimitives.WriteUInt16BigEndian(span[4..], (ushort)RecordClass.IN);
            BinaryPrimitives.WriteUInt32BigEndian(span[6..], ttl);
            BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)rdatas[i].Length);
            rdatas[i].CopyTo(span[12..]);
            position += 12 + rdatas[i].Length;
        }
        return new EncodedRRset(type, wire, offsets, targets.Count == 0 ? NoTargets : targets.ToArray());
    }

    private static readonly int[] SingleRecordOffsets = [0];
    private static readonly byte[][] NoTargets = [];

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
        int written = 0;
        while (written < Count && writer.TryWriteBytes(Record(written)))
        {
            written++;
        }
        AddCount(ref writer, section, written);
        return written;
    }

    /// <summary>Writes the whole RRset under another owner name; false (and nothing written) when it does not fit.</summary>
    public bool TryWriteWithOwner(ref MessageWriter writer, ReadOnlySpan<byte> owner, MessageSection section)
    {
        var mark = writer.Mark();
        for (int i = 0; i < Offsets.Length; i++)
        {
            // Skip the 2-byte owner pointer of the stored form.
            if (!writer.TryWriteName(owner) || !writer.TryWriteBytes(Record(i)[2..]))
            {
                writer.Rollback(mark);
                return false;
            }
        }
        AddCount(ref writer, section, Count);
        return true;
    }

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
