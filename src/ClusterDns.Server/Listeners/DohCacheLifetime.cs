using System.Buffers.Binary;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// The HTTP freshness lifetime of a DNS-over-HTTPS answer (RFC 8484 section 5.1: no longer than the smallest TTL
/// of the records). Read straight from the wire, as CoreDNS's MinimalTTL decides it: the smallest TTL of every
/// record but OPT, at most an hour; 5 s for errors other than NXDOMAIN, for answers without records, and for
/// anything that does not read.
/// </summary>
internal static class DohCacheLifetime
{
    public const int Fallback = 5;
    public const int Maximum = 3600;

    private const int HeaderSize = 12;
    private const ushort OptType = 41;

    public static int Seconds(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderSize)
        {
            return Fallback;
        }
        int rcode = message[3] & 0x0F;
        if (rcode is not (0 or 3))
        {
            return Fallback;
        }
        int questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int records = BinaryPrimitives.ReadUInt16BigEndian(message[6..]) + BinaryPrimitives.ReadUInt16BigEndian(message[8..]) + BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        int position = HeaderSize;
        for (int i = 0; i < questions; i++)
        {
            if (!SkipName(message, ref position) || (position += 4) > message.Length)
            {
                return Fallback;
            }
        }
        long smallest = long.MaxValue;
        for (int i = 0; i < records; i++)
        {
            if (!SkipName(message, ref position) || position + 10 > message.Length)
            {
                return Fallback;
            }
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
            uint ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(position + 4)..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 8)..]);
            position += 10 + length;
            if (position > message.Length)
            {
                return Fallback;
            }
            if (type != OptType && ttl < smallest)
            {
                smallest = ttl;
            }
        }
        return smallest == long.MaxValue ? Fallback : (int)Math.Min(smallest, Maximum);
    }

    /// <summary>Steps over a name: labels up to the root, or up to a compression pointer (which ends it).</summary>
    private static bool SkipName(ReadOnlySpan<byte> message, ref int position)
    {
        while (position < message.Length)
        {
            byte length = message[position];
            if (length == 0)
            {
                position++;
                return true;
            }
            if ((length & 0xC0) == 0xC0)
            {
                position += 2;
                return position <= message.Length;
            }
            if ((length & 0xC0) != 0)
            {
                return false;
            }
            position += 1 + length;
        }
        return false;
    }
}
