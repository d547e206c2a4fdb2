using System.Buffers.Binary;
using System.Net;
using System.Text;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Binary;

/// <summary>
/// Reads what <see cref="BlobWriter"/> wrote, in its order. Reading past the end, an address of another
/// length or a count larger than the bytes left is <see cref="InvalidDataException"/>: a damaged state file
/// is reported and ignored, never trusted.
/// </summary>
public ref struct BlobReader(ReadOnlySpan<byte> blob)
{
    private readonly ReadOnlySpan<byte> _blob = blob;
    private int _position;

    public readonly int Position => _position;

    public readonly int Remaining => _blob.Length - _position;

    public byte U8() => Take(1)[0];

    public bool Bool() => U8() switch
    {
        0 => false,
        1 => true,
        var other => throw new InvalidDataException($"a boolean of {other}"),
    };

    public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    /// <summary>A u32 count of items each at least <paramref name="minimumItemSize"/> bytes long: never more than the bytes left could hold.</summary>
    public int Count(int minimumItemSize = 1)
    {
        uint count = U32();
        if (count > (uint)Remaining / (uint)Math.Max(minimumItemSize, 1))
        {
            throw new InvalidDataException($"a count of {count} with {Remaining} bytes left");
        }
        return (int)count;
    }

    public ReadOnlySpan<byte> Bytes(int length) => Take(length);

    public ReadOnlySpan<byte> ShortBytes() => Take(U8());

    public string Text() => Encoding.UTF8.GetString(Take(U16()));

    public string? OptionalText() => Bool() ? Text() : null;

    public IPAddress Address()
    {
        var bytes = ShortBytes();
        if (bytes.Length is not (4 or 16))
        {
            throw new InvalidDataException($"an address of {bytes.Length} bytes");
        }
        return new IPAddress(bytes);
    }

    public IPAddress[] Addresses()
    {
        var addresses = new IPAddress[U16()];
        for (int i = 0; i < addresses.Length; i++)
        {
            addresses[i] = Address();
        }
        return addresses;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new InvalidDataException($"{count} bytes wanted at offset {_position}, {Remaining} left");
        }
        var span = _blob.Slice(_position, count);
        _position += count;
        return span;
    }
}
