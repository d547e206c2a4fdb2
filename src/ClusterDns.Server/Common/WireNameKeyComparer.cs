using ClusterDns.Protocol;

namespace ClusterDns.Server.Common;

/// <summary>
/// Compares lower-cased wire names stored as byte arrays, and lets a dictionary keyed by them be searched
/// with a span (<c>GetAlternateLookup&lt;ReadOnlySpan&lt;byte&gt;&gt;</c>) so a query's lookup allocates nothing.
/// Keys must already be lower-case; comparison is exact (cheaper than case folding on every probe).
/// </summary>
public sealed class WireNameKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly WireNameKeyComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => Hash(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    public static int Hash(ReadOnlySpan<byte> name)
    {
        var hash = new HashCode();
        hash.AddBytes(name);
        return hash.ToHashCode();
    }
}
