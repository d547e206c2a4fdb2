using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// Compares uncompressed wire names ASCII-case-insensitively, also against spans, so a dictionary keyed by
/// <c>byte[]</c> names can be searched with a span of the question without allocating.
/// </summary>
internal sealed class WireNameComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly WireNameComparer Instance = new();

    private WireNameComparer()
    {
    }

    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && WireName.EqualsIgnoreCase(x, y));

    public int GetHashCode(byte[] obj) => WireName.GetHashCodeIgnoreCase(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => WireName.EqualsIgnoreCase(alternate, other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => WireName.GetHashCodeIgnoreCase(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
