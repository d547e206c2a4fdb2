using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// Spoofing resistance: a reply counts only if it carries our query's ID, is a response, and echoes our
/// question (name case-insensitively, type and class exactly). Anything else is ignored, not an error.
/// </summary>
internal static class ReplyMatcher
{
    public static bool Matches(ReadOnlySpan<byte> reply, ReadOnlySpan<byte> query, int questionEnd)
    {
        if (reply.Length < questionEnd || questionEnd < DnsHeader.Size + 5)
        {
            return false;
        }
        const int QrBit = 0x80;
        if (reply[0] != query[0] || reply[1] != query[1] || (reply[2] & QrBit) == 0 || reply[4] != 0 || reply[5] != 1)
        {
            return false;
        }
        // The question is the first name of both messages, so it cannot be compressed: compare the bytes.
        int nameEnd = questionEnd - 4;
        return WireName.EqualsIgnoreCase(reply[DnsHeader.Size..nameEnd], query[DnsHeader.Size..nameEnd])
            && reply[nameEnd..questionEnd].SequenceEqual(query[nameEnd..questionEnd]);
    }
}
