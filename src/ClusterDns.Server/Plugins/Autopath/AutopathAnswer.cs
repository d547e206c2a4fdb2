using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Autopath;

/// <summary>
/// The client's answer after a walk: its own question, then a CNAME from the name it asked to the name that
/// answered, then that answer's records (CoreDNS's <c>cnamer</c>). Every record is decoded and written again,
/// since the question's length changed every compression pointer. Only walked queries come here; it allocates.
/// </summary>
internal static class AutopathAnswer
{
    private const byte RecursionAvailableBit = 0x80;

    /// <summary>Rewrites the response in <paramref name="context"/> (to <paramref name="expanded"/>) for <paramref name="original"/>.</summary>
    public static HandlerResult Write(DnsQueryContext context, byte[] original, byte[] expanded)
    {
        var error = DnsMessage.TryParse(context.Response, out var answer);
        context.ReplaceRequest(original);
        if (error != DnsError.None)
        {
            context.WriteBareResponse(ResponseCode.ServFail);
            return HandlerResult.Written(ResponseCode.ServFail);
        }
        var writer = context.BeginResponse();
        bool truncated = answer.Header.Truncated;
        var cname = new DnsRecord(DnsName.FromWire(context.QuestionName), RecordType.CNAME, RecordClass.IN, CnameTtl(answer),
            new CNameData(DnsName.FromWire(expanded)));
        truncated |= !RecordListWriter.TryWriteAll(ref writer, [cname], MessageSection.Answer)
            || !RecordListWriter.TryWriteAll(ref writer, answer.Answers, MessageSection.Answer)
            || !RecordListWriter.TryWriteAll(ref writer, answer.Authority, MessageSection.Authority);
        if (!truncated)
        {
            // Additional data that does not fit is left out without TC (RFC 2181 §9).
            RecordListWriter.TryWriteAll(ref writer, answer.Additional, MessageSection.Additional);
        }
        var rcode = answer.Rcode;
        context.CompleteResponse(ref writer, rcode, answer.Header.AuthoritativeAnswer, truncated);
        if (answer.Header.RecursionAvailable)
        {
            context.Buffer[3] |= RecursionAvailableBit;
        }
        return HandlerResult.Written(rcode);
    }

    /// <summary>
    /// The CNAME's TTL: the first answer record's, as CoreDNS's; for an answer with no records (NODATA), the
    /// negative TTL its SOA gives (RFC 2308 §5), so a cache keeps the alias no longer than the denial.
    /// </summary>
    private static uint CnameTtl(DnsMessage answer)
    {
        if (answer.Answers.Count > 0)
        {
            return answer.Answers[0].Ttl;
        }
        foreach (var record in answer.Authority)
        {
            if (record.Data is SoaData soa)
            {
                return Math.Min(record.Ttl, soa.Minimum);
            }
        }
        return 0;
    }

    /// <summary>Writes a saved response to the client's own question (the first element's) again; false when it does not parse.</summary>
    public static bool Replay(DnsQueryContext context, byte[] response, int questionEnd)
    {
        if (!ResponseLayout.TryRead(response, questionEnd, out var layout))
        {
            return false;
        }
        ResponseCopier.Write(context, layout.Body(response), layout.AnswerCount, layout.AuthorityCount, layout.AdditionalCount,
            layout.Rcode, layout.Header.AuthoritativeAnswer, authenticData: false, recursionAvailable: layout.Header.RecursionAvailable);
        return true;
    }
}
