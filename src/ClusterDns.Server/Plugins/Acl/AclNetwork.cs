using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Server.Plugins.Acl;

/// <summary>
/// An address range (CIDR) as raw bytes and a prefix length, compared against the client's address bytes
/// without allocating. IPv4 ranges are 4 bytes; IPv4-mapped IPv6 clients are compared as IPv4.
/// </summary>
internal sealed class AclNetwork
{
    private readonly byte[] _address;

    private AclNetwork(byte[] address, int prefixLength)
    {
        _address = address;
        PrefixLength = prefixLength;
    }

    public int PrefixLength { get; }

    public int AddressLength => _address.Length;

    /// <summary>Parses <c>ADDRESS</c> (a single host) or <c>ADDRESS/PREFIX</c>; host bits beyond the prefix are ignored.</summary>
    public static bool TryParse(string text, out AclNetwork? network, out string? error)
    {
        network = null;
        int slash = text.IndexOf('/');
        var addressText = slash < 0 ? text.AsSpan() : text.AsSpan(0, slash);
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%'))
        {
            error = $"'{text}' is not an IP address or CIDR range";
            return false;
        }
        // An IPv4-mapped range (::ffff:a.b.c.d/96+n) is the IPv4 range a.b.c.d/n: clients are compared unmapped.
        bool mapped = address.IsIPv4MappedToIPv6;
        int minPrefix = mapped ? 96 : 0;
        int maxPrefix = address.GetAddressBytes().Length * 8;
        int prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix)
            || prefix < minPrefix || prefix > maxPrefix))
        {
            error = $"'{text}': the prefix length must be {minPrefix} to {maxPrefix}";
            return false;
        }
        if (mapped)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }
        network = new AclNetwork(address.GetAddressBytes(), prefix);
        error = null;
        return true;
    }

    /// <summary>True when <paramref name="address"/> (4 or 16 bytes, IPv4-mapped already unmapped) lies in this range.</summary>
    public bool Contains(ReadOnlySpan<byte> address)
    {
        if (address.Length != _address.Length)
        {
            return false;
        }
        int fullBytes = PrefixLength >> 3;
        if (!address[..fullBytes].SequenceEqual(_address.AsSpan(0, fullBytes)))
        {
            return false;
        }
        int remainingBits = PrefixLength & 7;
        if (remainingBits == 0)
        {
            return true;
        }
        int mask = 0xFF << (8 - remainingBits) & 0xFF;
        return (address[fullBytes] & mask) == (_address[fullBytes] & mask);
    }

    /// <summary>
    /// Copies the address bytes out of a raw socket address (sockaddr_in: bytes 4–7, sockaddr_in6: bytes 8–23,
    /// the same layout on every platform). Returns the length written (4 or 16), or 0 for another family.
    /// </summary>
    public static int ReadClientAddress(SocketAddress socketAddress, Span<byte> destination)
    {
        var raw = socketAddress.Buffer.Span[..socketAddress.Size];
        switch (socketAddress.Family)
        {
            case AddressFamily.InterNetwork when raw.Length >= 8:
                raw.Slice(4, 4).CopyTo(destination);
                return 4;
            case AddressFamily.InterNetworkV6 when raw.Length >= 24:
                var v6 = raw.Slice(8, 16);
                if (IsIPv4Mapped(v6))
                {
                    v6.Slice(12, 4).CopyTo(destination);
                    return 4;
                }
                v6.CopyTo(destination);
                return 16;
            default:
                return 0;
        }
    }

    private static bool IsIPv4Mapped(ReadOnlySpan<byte> v6) =>
        v6[..10].IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0xFF && v6[11] == 0xFF;

    public override string ToString() => $"{new IPAddress(_address)}/{PrefixLength}";
}
