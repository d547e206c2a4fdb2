using System.Buffers.Binary;

namespace ClusterDns.Protocol;

/// <summary>
/// Writes a DNS message into a caller's buffer, compressing names, without allocating.
/// Every write is a <c>Try…</c> that fails (and writes nothing visible) when the message would pass
/// <see cref="Limit"/>; callers take a <see cref="Mark"/> before an RRset and <see cref="Rollback"/> to it,
/// so truncation always cuts at whole RRsets.
/// </summary>
public ref struct MessageWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private int _limit;
    private CompressionTable _names;

    public ushort AnswerCount;
    public ushort AuthorityCount;
    public ushort AdditionalCount;

    /// <param name="buffer">Where the message goes.</param>
    /// <param name="limit">The largest message allowed (e.g. the client's UDP size); capped by the buffer.</param>
    public MessageWriter(Span<byte> buffer, int limit)
    {
        _buffer = buffer;
        _limit = Math.Min(limit, buffer.Length);
        _position = DnsHeader.Size;
    }

    public readonly int Position => _position;

    public int Limit
    {
        readonly get => _limit;
        set => _limit = Math.Min(value, _buffer.Length);
    }

    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public readonly Span<byte> Buffer => _buffer;

    /// <summary>A point to return to: position, counts and the compression table's fill.</summary>
    public readonly WriterMark Mark() => new(_position, AnswerCount, AuthorityCount, AdditionalCount, _names.Count);

    public void Rollback(WriterMark mark)
    {
        _position = mark.Position;
        AnswerCount = mark.AnswerCount;
        AuthorityCount = mark.AuthorityCount;
        AdditionalCount = mark.AdditionalCount;
        _names.Truncate(mark.NameCount);
    }

    /// <summary>
    /// Continues a message whose header and question are already in the buffer (answering in place):
    /// the question name at offset 12 becomes available for compression.
    /// </summary>
    public void ContinueAfterQuestion(int questionEnd)
    {
        _position = questionEnd;
        RegisterName(DnsHeader.Size);
    }

    /// <summary>Writes the header with this writer's section counts (and the given question count) at offset 0.</summary>
    public readonly void WriteHeader(DnsHeader header)
    {
        header.AnswerCount = AnswerCount;
        header.AuthorityCount = AuthorityCount;
        header.AdditionalCount = AdditionalCount;
        header.TryWrite(_buffer);
    }

    public bool TryWriteQuestion(scoped ReadOnlySpan<byte> name, RecordType type, RecordClass recordClass)
    {
        var mark = Mark();
        if (TryWriteName(name, compress: true) && TryWriteUInt16((ushort)type) && TryWriteUInt16((ushort)recordClass))
        {
            return true;
        }
        Rollback(mark);
        return false;
    }

    /// <summary>Writes an uncompressed wire name, replacing its longest already-written suffix by a pointer when <paramref name="compress"/>.</summary>
    public bool TryWriteName(scoped ReadOnlySpan<byte> name, bool compress = true)
    {
        int start = _position;
        int labelStart = 0;
        while (labelStart < name.Length && name[labelStart] != 0)
        {
            if (compress)
            {
                int target = FindSuffix(name[labelStart..]);
                if (target >= 0)
                {
                    if (!Fits(labelStart + 2, start))
                    {
                        return false;
                    }
                    name[..labelStart].CopyTo(_buffer[start..]);
                    BinaryPrimitives.WriteUInt16BigEndian(_buffer[(start + labelStart)..], (ushort)(0xC000 | target));
                    RegisterLabels(start, name[..labelStart]);
                    _position = start + labelStart + 2;
                    return true;
                }
            }
            labelStart += name[labelStart] + 1;
        }
        if (!Fits(name.Length, start))
        {
            return false;
        }
        name.CopyTo(_buffer[start..]);
        // Even a name that may not be compressed (SRV target, RFC 3597 §4) can be pointed to by later names.
        RegisterLabels(start, name);
        _position = start + name.Length;
        return true;
    }

    /// <summary>Writes a two-byte compression pointer to a name already in the message.</summary>
    public bool TryWritePointer(int offset)
    {
        if (offset < 0 || offset >= 0x4000)
        {
            return false;
        }
        return TryWriteUInt16((ushort)(0xC000 | offset));
    }

    public bool TryWriteUInt16(ushort value)
    {
        if (!Fits(2, _position))
        {
            return false;
        }
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], value);
        _position += 2;
        return true;
    }

    public bool TryWriteUInt32(uint value)
    {
        if (!Fits(4, _position))
        {
            return false;
        }
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
        _position += 4;
        return true;
    }

    public bool TryWriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (!Fits(bytes.Length, _position))
        {
            return false;
        }
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
        return true;
    }

    /// <summary>
    /// Writes a record's owner, TYPE, CLASS, TTL and a placeholder RDLENGTH; RDATA follows through the other
    /// writes, then <see cref="EndRecord"/>. On failure nothing is written.
    /// </summary>
    public bool TryBeginRecord(scoped ReadOnlySpan<byte> owner, RecordType type, ushort recordClass, uint ttl, out RecordInProgress record)
    {
        record = new RecordInProgress(Mark());
        if (!TryWriteName(owner))
        {
            return false;
        }
        return TryWriteRecordFixedPart(type, recordClass, ttl, ref record);
    }

    /// <summary>As <see cref="TryBeginRecord"/>, with the owner given as a pointer to a name in the message (e.g. 12, the question).</summary>
    public bool TryBeginRecordAt(int ownerOffset, RecordType type, ushort recordClass, uint ttl, out RecordInProgress record)
    {
        record = new RecordInProgress(Mark());
        if (!TryWritePointer(ownerOffset))
        {
            return false;
        }
        return TryWriteRecordFixedPart(type, recordClass, ttl, ref record);
    }

    private bool TryWriteRecordFixedPart(RecordType type, ushort recordClass, uint ttl, ref RecordInProgress record)
    {
        if (!Fits(10, _position))
        {
            Rollback(record.Start);
            return false;
        }
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_position + 2)..], recordClass);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[(_position + 4)..], ttl);
        record.RdLengthOffset = _position + 8;
        _position += 10;
        return true;
    }

    /// <summary>Fills in RDLENGTH and counts the record in its section.</summary>
    public void EndRecord(in RecordInProgress record, MessageSection section)
    {
        int rdLength = _position - record.RdLengthOffset - 2;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[record.RdLengthOffset..], (ushort)rdLength);
        switch (section)
        {
            case MessageSection.Answer: AnswerCount++; break;
            case MessageSection.Authority: AuthorityCount++; break;
            default: AdditionalCount++; break;
        }
    }

    /// <summary>Writes a whole record with pre-encoded RDATA (names inside it stay as they are).</summary>
    public bool TryWriteRecord(scoped ReadOnlySpan<byte> owner, RecordType type, ushort recordClass, uint ttl, scoped ReadOnlySpan<byte> rdata, MessageSection section)
    {
        if (!TryBeginRecord(owner, type, recordClass, ttl, out var record))
        {
            return false;
        }
        if (!TryWriteBytes(rdata))
        {
            Rollback(record.Start);
            return false;
        }
        EndRecord(record, section);
        return true;
    }

    /// <summary>Writes a whole record whose owner is a pointer and whose RDATA is pre-encoded.</summary>
    public bool TryWriteRecordAt(int ownerOffset, RecordType type, ushort recordClass, uint ttl, scoped ReadOnlySpan<byte> rdata, MessageSection section)
    {
        if (!TryBeginRecordAt(ownerOffset, type, recordClass, ttl, out var record))
        {
            return false;
        }
        if (!TryWriteBytes(rdata))
        {
            Rollback(record.Start);
            return false;
        }
        EndRecord(record, section);
        return true;
    }

    /// <summary>Writes the OPT pseudo-record (RFC 6891 §6.1.2) in the additional section.</summary>
    public bool TryWriteOpt(ushort udpPayloadSize, byte extendedRcode, byte version, bool dnssecOk, scoped ReadOnlySpan<byte> options)
    {
        var mark = Mark();
        uint ttl = ((uint)extendedRcode << 24) | ((uint)version << 16) | (dnssecOk ? 0x8000u : 0u);
        if (Fits(11 + options.Length, _position))
        {
            _buffer[_position++] = 0;
            if (TryBeginRecordFixed(RecordType.OPT, udpPayloadSize, ttl, out var record) && TryWriteBytes(options))
            {
                EndRecord(record, MessageSection.Additional);
                return true;
            }
        }
        Rollback(mark);
        return false;
    }

    private bool TryBeginRecordFixed(RecordType type, ushort recordClass, uint ttl, out RecordInProgress record)
    {
        record = new RecordInProgress(Mark());
        return TryWriteRecordFixedPart(type, recordClass, ttl, ref record);
    }

    private readonly bool Fits(int count, int at) => at + count <= _limit;

    private void RegisterName(int offset)
    {
        // Register each label of a name already in the buffer (uncompressed part only).
        int position = offset;
        while (position < _buffer.Length)
        {
            byte length = _buffer[position];
            if (length == 0 || (length & 0xC0) != 0)
            {
                return;
            }
            _names.Add(position);
            position += length + 1;
        }
    }

    private void RegisterLabels(int start, scoped ReadOnlySpan<byte> labels)
    {
        int i = 0;
        while (i < labels.Length && labels[i] != 0)
        {
            _names.Add(start + i);
            i += labels[i] + 1;
        }
    }

    /// <summary>Offset of an already-written name equal to <paramref name="suffix"/>, or -1.</summary>
    private readonly int FindSuffix(scoped ReadOnlySpan<byte> suffix)
    {
        for (int i = 0; i < _names.Count; i++)
        {
            int offset = _names[i];
            if (NameAtEquals(offset, suffix))
            {
                return offset;
            }
        }
        return -1;
    }

    private readonly bool NameAtEquals(int offset, scoped ReadOnlySpan<byte> name)
    {
        int position = offset;
        int i = 0;
        // Our own writes only point backwards; the hop bound is a belt over those braces.
        for (int hops = 0; hops < 128; hops++)
        {
            byte length = _buffer[position];
            if ((length & 0xC0) == 0xC0)
            {
                position = ((length & 0x3F) << 8) | _buffer[position + 1];
                continue;
            }
            if (i >= name.Length || name[i] != length)
            {
                return false;
            }
            if (length == 0)
            {
                return true;
            }
            if (!WireName.EqualsIgnoreCase(_buffer.Slice(position + 1, length), name.Slice(i + 1, length)))
            {
                return false;
            }
            position += length + 1;
            i += length + 1;
        }
        return false;
    }
}

/// <summary>A point in a message being written, to roll back to.</summary>
public readonly record struct WriterMark(int Position, ushort AnswerCount, ushort AuthorityCount, ushort AdditionalCount, int NameCount);

/// <summary>A record whose RDATA is being written.</summary>
public struct RecordInProgress
{
    internal RecordInProgress(WriterMark start)
    {
        Start = start;
        RdLengthOffset = -1;
    }

    /// <summary>Where the record began: roll back here to drop it.</summary>
    public WriterMark Start { get; }

    internal int RdLengthOffset;
}
