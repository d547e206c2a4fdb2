namespace ClusterDns.Server.Plugins.Dns64;

/// <summary>
/// RFC 6052 section 2.2: an IPv4 address embedded in an IPv6 prefix. For prefixes shorter than /96 the IPv4
/// octets skip bits 64–71 (the "u" octet, always zero); what is left after them is zero (the suffix).
/// </summary>
internal static class Dns64Address
{
    public static readonly int[] ValidPrefixLengths = [32, 40, 48, 56, 64, 96];

    private const int UOctet = 8;

    /// <summary>Writes the 16 bytes of the IPv4-embedded IPv6 address into <paramref name="destination"/>.</summary>
    public static void Embed(ReadOnlySpan<byte> prefix, int prefixLength, ReadOnlySpan<byte> ipv4, Span<byte> destination)
    {
        destination[..16].Clear();
        int octet = prefixLength / 8;
        prefix[..octet].CopyTo(destination);
        foreach (byte b in ipv4[..4])
        {
            if (octet == UOctet)
            {
                octet++;
            }
            destination[octet++] = b;
        }
        // The u octet is zero whatever the prefix held there (a /96 prefix covers it).
        destination[UOctet] = 0;
    }

    /// <summary>True for ::ffff:0:0/96, which RFC 6147 section 5.1.4 excludes from the AAAA records that count.</summary>
    public static bool IsIPv4Mapped(ReadOnlySpan<byte> v6) =>
        v6.Length == 16 && v6[..10].IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0xFF && v6[11] == 0xFF;
}
