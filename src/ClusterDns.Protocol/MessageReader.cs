using System.Buffers.Binary;

namespace ClusterDns.Protocol;

/// <summary>
/// A forward-only cursor over a whole DNS message. Every read is a <c>Try…</c> that checks bounds and
/// reports a <see cref="DnsError"/>; nothing is allocated and nothing throws on hostile input.
/// Compression pointers must point strictly backwards, so a pointer loop cannot exist.
/// </summary>
public ref struct MessageReader
{
    private readonly ReadOnlySpan<byte> _message;
    private int _position;

    public MessageReader(ReadOnlySpan<byte> message, int position = 0)
    {
        _message = message;
        _position = position;
    }

    public readonly int Position => _position;

    public readonly ReadOnlySpan<byte> Message => _message;

    public readonly int Remaining => _message.Length - _position;

    public DnsError ReadHeader(out DnsHeader header)
    {
        if (!DnsHeader.TryRead(_message[_position..], out header))
        {
            return DnsError.Truncated;
        }
        _position += DnsHeader.Size;
        return DnsError.None;
    }

    /// <summary>
    /// Reads a possibly compressed name at the cursor into <paramref name="destination"/> (at least 255 bytes)
    /// as uncompressed wire form with its original case, and moves past it.
    /// </summary>
    public DnsError ReadName(scoped Span<byte> destination, out int length)
    {
        var error = DecodeName(_message, _position, destination, out length, out int consumed);
        if (error == DnsError.None)
        {
            _position += consumed;
        }
        return error;
    }

    /// <summary>Reads a name into a new <see cref="DnsName"/> (allocates; not for the query path).</summary>
    public DnsError ReadName(out DnsName name)
    {
        Span<byte> buffer = stackalloc byte[WireName.MaxLength];
        var error = ReadName(buffer, out int length);
        name = error == DnsError.None ? DnsName.FromWire(buffer[..length]) : DnsName.Root;
        return error;
    }

    /// <summary>Moves past a name without decoding it (still validating its pointers and lengths).</summary>
    public DnsError SkipName()
    {
        Span<byte> scratch = stackalloc byte[WireName.MaxLength];
        return ReadName(scratch, out _);
    }

    public DnsError ReadUInt16(out ushort value)
    {
        if (!BinaryPrimitives.TryReadUInt16BigEndian(_message[_position..], out value))
        {
            return DnsError.Truncated;
        }
        _position += 2;
        return DnsError.None;
    }

    public DnsError ReadUInt32(out uint value)
    {
        if (!BinaryPrimitives.TryReadUInt32BigEndian(_message[_position..], out value))
        {
            return DnsError.Truncated;
        }
        _position += 4;
        return DnsError.None;
    }

    public DnsError ReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count < 0 || count > Remaining)
        {
            bytes = default;
            return DnsError.Truncated;
        }
        bytes = _message.Slice(_position, count);
        _position += count;
        return DnsError.None;
    }

    /// <summary>Reads a question's name into <paramref name="nameBuffer"/>, then its type and class.</summary>
    public DnsError ReadQuestion(scoped Span<byte> nameBuffer, out int nameLength, out RecordType type, out RecordClass recordClass)
    {
        type = default;
        recordClass = default;
        var error = ReadName(nameBuffer, out nameLength);
        if (error != DnsError.None)
        {
            return error;
        }
        if (ReadUInt16(out ushort t) != DnsError.None || ReadUInt16(out ushort c) != DnsError.None)
        {
            return DnsError.Truncated;
        }
        type = (RecordType)t;
        recordClass = (RecordClass)c;
        return DnsError.None;
    }

    /// <summary>
    /// Reads a resource record's fixed part after its owner name (already read or skipped by the caller):
    /// TYPE, CLASS, TTL, RDLENGTH, and returns the RDATA's offset within the message. The cursor moves past the RDATA.
    /// </summary>
    public DnsError ReadRecordTail(out RecordType type, out ushort recordClass, out uint ttl, out int rdataOffset, out int rdataLength)
    {
        type = default;
        recordClass = 0;
        ttl = 0;
        rdataOffset = 0;
        rdataLength = 0;
        if (Remaining < 10)
        {
            return DnsError.Truncated;
        }
        var fixedPart = _message.Slice(_position, 10);
        type = (RecordType)BinaryPrimitives.ReadUInt16BigEndian(fixedPart);
        recordClass = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[2..]);
        ttl = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[4..]);
        rdataLength = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[8..]);
        _position += 10;
        if (rdataLength > Remaining)
        {
            return DnsError.Truncated;
        }
        rdataOffset = _position;
        _position += rdataLength;
        return DnsError.None;
    }

    /// <summary>
    /// Decodes the (possibly compressed) name that starts at <paramref name="offset"/> in <paramref name="message"/>.
    /// <paramref name="consumed"/> is how many bytes the name occupies at <paramref name="offset"/> itself
    /// (up to and including the first pointer). Pointers must point strictly before the label that holds them.
    /// </summary>
    public static DnsError DecodeName(ReadOnlySpan<byte> message, int offset, Span<byte> destination, out int length, out int consumed)
    {
        length = 0;
        consumed = 0;
        int position = offset;
        // Pointers must move strictly backwards: each target lies before the previous one, so decoding ends.
        int pointerLimit = offset;
        bool jumped = false;
        while (true)
        {
            if ((uint)position >= (uint)message.Length)
            {
                return DnsError.Truncated;
            }
            byte labelLength = message[position];
            switch (labelLength & 0xC0)
            {
                case 0x00:
                    if (length + 1 + labelLength > WireName.MaxLength)
                    {
                        return DnsError.NameTooLong;
                    }
                    if (position + 1 + labelLength > message.Length)
                    {
                        return DnsError.Truncated;
                    }
                    if ((uint)(length + 1 + labelLength) > (uint)destination.Length)
                    {
                        return DnsError.NameTooLong;
                    }
                    message.Slice(position, 1 + labelLength).CopyTo(destination[length..]);
                    length += 1 + labelLength;
                    position += 1 + labelLength;
                    if (!jumped)
                    {
                        consumed = position - offset;
                    }
                    if (labelLength == 0)
                    {
                        return DnsError.None;
                    }
                    break;
                case 0xC0:
                    if (position + 1 >= message.Length)
                    {
                        return DnsError.Truncated;
                    }
                    int target = ((labelLength & 0x3F) << 8) | message[position + 1];
                    if (!jumped)
                    {
                        consumed = position + 2 - offset;
                    }
                    if (target >= pointerLimit || target < DnsHeader.Size)
                    {
                        return DnsError.BadPointer;
                    }
                    pointerLimit = target;
                    position = target;
                    jumped = true;
                    break;
                default:
                    // 0x40 (extended label types, RFC 6891 §5) and 0x80 (reserved) are not supported.
                    return DnsError.BadLabel;
            }
        }
    }
}
