using System.Buffers.Binary;
using System.Net;
using System.Text;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Binary;

/// <summary>
/// Writes the one binary layout of everything the cluster zone builder keeps or persists: Service records,
/// stored EndpointSlices, index entries and the state file. The convention, in one place:
/// <list type="bullet">
/// <item>integers are big-endian (network order, as the DNS wire they sit beside), of a fixed width: u8, u16, u32;</item>
/// <item>short byte strings (labels, names, addresses) carry a u8 length, text a u16 length and UTF-8;</item>
/// <item>an optional value is a u8 flag (0 absent, 1 present) before it; a boolean is a u8 0 or 1;</item>
/// <item>a list is its count (u8, u16 or u32, as the layout names it) and then its items.</item>
/// </list>
/// Readers of a stored layout read it with <see cref="BlobReader"/>, or in place at the offsets the layout
/// names (the query path, which must not allocate). Builder-side only: allocation here is per change.
/// </summary>
public sealed class BlobWriter
{
    private byte[] _buffer;
    private int _length;

    public BlobWriter(int capacity = 64) => _buffer = new byte[Math.Max(capacity, 8)];

    /// <summary>Bytes written so far: the offset of the next value.</summary>
    public int Position => _length;

    /// <summary>The bytes written. Ends the writer's use: an exactly sized buffer is handed over, not copied.</summary>
    public byte[] ToArray() => _length == _buffer.Length ? _buffer : _buffer.AsSpan(0, _length).ToArray();

    /// <summary>The bytes written so far (until the next write).</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Starts again at offset 0, keeping the buffer (a writer that streams its output in pieces).</summary>
    public void Clear() => _length = 0;

    public void U8(byte value) => Take(1)[0] = value;

    public void Bool(bool value) => U8(value ? (byte)1 : (byte)0);

    public void U16(int value)
    {
        if ((uint)value > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "does not fit 16 bits");
        }
        BinaryPrimitives.WriteUInt16BigEndian(Take(2), (ushort)value);
    }

    public void U32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

    /// <summary>A non-negative count or length as u32.</summary>
    public void Count(int value) => U32(checked((uint)value));

    public void Bytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));

    /// <summary>A byte string of at most 255 bytes after its u8 length (a label, a wire name, an address).</summary>
    public void ShortBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes.Length, "longer than 255 bytes");
        }
        U8((byte)bytes.Length);
        Bytes(bytes);
    }

    /// <summary>Text as a u16 length and UTF-8.</summary>
    public void Text(string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        U16(length);
        Encoding.UTF8.GetBytes(text, Take(length));
    }

    public void OptionalText(string? text)
    {
        Bool(text is not null);
        if (text is not null)
        {
            Text(text);
        }
    }

    /// <summary>An address as its bytes (4 or 16) after a u8 length.</summary>
    public void Address(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        ShortBytes(bytes[..length]);
    }

    /// <summary>A list of addresses: a u16 count, then each as <see cref="Address"/>.</summary>
    public void Addresses(IReadOnlyList<IPAddress> addresses)
    {
        U16(addresses.Count);
        foreach (var address in addresses)
        {
            Address(address);
        }
    }

    /// <summary>Overwrites a u32 written earlier at <paramref name="offset"/> (a length known only later).</summary>
    public void U32At(int offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(offset, 4), value);

    private Span<byte> Take(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
