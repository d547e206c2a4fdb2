using System.Buffers.Binary;

namespace ClusterDns.Protocol;

/// <summary>
/// A cursor bounded by one record's RDATA. Names may be compression pointers into the whole message
/// (so the message is kept), but no field may run past the RDATA's end.
/// </summary>
internal ref struct RdataReader
{
    private readonly ReadOnlySpan<byte> _message;
    private readonly int _end;
    private int _position;

    public RdataReader(ReadOnlySpan<byte> message, int rdataOffset, int rdataLength)
    {
        _message = message;
        _position = rdataOffset;
        _end = rdataOffset + rdataLength;
    }

    public readonly bool IsAtEnd => _position == _end;

    public readonly int Remaining => _end - _position;

    public DnsError ReadName(out DnsName name)
    {
        name = DnsName.Root;
        Span<byte> buffer = stackalloc byte[WireName.MaxLength];
        var error = MessageReader.DecodeName(_message[.._end], _position, buffer, out int length, out int consumed);
        if (error != DnsError.None)
        {
            // A name cut off by the RDATA's end is bad RDATA, not a short message.
            return error == DnsError.Truncated ? DnsError.BadRdata : error;
        }
        _position += consumed;
        name = DnsName.FromWire(buffer[..length]);
        return DnsError.None;
    }

    public bool TryReadByte(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return false;
        }
        value = _message[_position++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt16BigEndian(_message[_position..]);
        _position += 2;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt32BigEndian(_message[_position..]);
        _position += 4;
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count < 0 || Remaining < count)
        {
            bytes = default;
            return false;
        }
        bytes = _message.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>A length-prefixed &lt;character-string&gt; (RFC 1035 §3.3).</summary>
    public bool TryReadCharacterString(out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        return TryReadByte(out byte length) && TryReadBytes(length, out bytes);
    }

    public ReadOnlySpan<byte> ReadRest()
    {
        var rest = _message[_position.._end];
        _position = _end;
        return rest;
    }
}
