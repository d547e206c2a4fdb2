using System.Runtime.CompilerServices;

namespace ClusterDns.Protocol;

/// <summary>
/// Offsets of names already written to a message, for compression (RFC 1035 §4.1.4).
/// A fixed inline array: writing a message allocates nothing. When it is full, later names are simply
/// written uncompressed (still correct, only larger).
/// </summary>
internal struct CompressionTable
{
    public const int Capacity = 96;

    private Offsets _offsets;
    private int _count;

    public readonly int Count => _count;

    public void Truncate(int count) => _count = Math.Min(_count, count);

    public void Add(int offset)
    {
        // Pointers carry 14 bits of offset.
        if (_count < Capacity && offset < 0x4000)
        {
            _offsets[_count++] = (ushort)offset;
        }
    }

    public readonly int this[int index] => _offsets[index];

    [InlineArray(Capacity)]
    private struct Offsets
    {
        private ushort _element;
    }
}
