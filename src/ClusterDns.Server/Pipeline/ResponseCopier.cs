using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// Writes a response body (records without OPT) after the client's own question in the context's buffer,
/// with the client's ID and flags, our OPT when the client sent one, and TC with no records when the body
/// does not fit the client's size limit (so it retries over TCP).
/// </summary>
internal static class ResponseCopier
{
    private const byte AuthenticDataBit = 0x20;
    private const byte RecursionAvailableBit = 0x80;

    /// <returns>False when the body did not fit and a truncated (TC) response was written instead.</returns>
    public static bool Write(DnsQueryContext context, ReadOnlySpan<byte> body, ushort answers, ushort authority, ushort additional,
        ResponseCode rcode, bool authoritative, bool authenticData, bool recursionAvailable = true)
    {
        var writer = context.BeginResponse();
        if (!writer.TryWriteBytes(body))
        {
            context.CompleteResponse(ref writer, rcode, authoritative, truncated: true);
            SetRecursionAvailable(context, recursionAvailable);
            return false;
        }
        writer.AnswerCount = answers;
        writer.AuthorityCount = authority;
        writer.AdditionalCount = additional;
        context.CompleteResponse(ref writer, rcode, authoritative, truncated: false);
        SetRecursionAvailable(context, recursionAvailable);
        // AD only means something to a client that asked for DNSSEC data or set AD itself (RFC 6840 §5.8).
        if (authenticData && (context.Query.Edns.DnssecOk || context.Query.Header.AuthenticData))
        {
            context.Buffer[3] |= AuthenticDataBit;
        }
        return true;
    }

    /// <summary>
    /// Forwarded answers have RA when the block forwards (it offers recursion); a cached answer keeps RA as it was
    /// stored (<paramref name="answerHadIt"/>), so an authoritative answer replayed from the cache has none.
    /// </summary>
    private static void SetRecursionAvailable(DnsQueryContext context, bool answerHadIt)
    {
        if (answerHadIt && context.Block?.RecursionAvailable == true)
        {
            context.Buffer[3] |= RecursionAvailableBit;
        }
    }
}
