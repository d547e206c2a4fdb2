using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>
/// <c>rewrite cname [exact|prefix|suffix|substring|regex] FROM TO</c> (CoreDNS 1.12+, cname_target.go): a CNAME in
/// the answer whose target matches FROM points to the new target instead, the records that answered the old
/// target are dropped, and the new target is resolved with the question's type through this server's own
/// pipeline (CoreDNS asks its upstream the same way), whose answer follows the CNAME.
/// </summary>
internal static class CnameTargetRewriter
{
    /// <returns>The new result when the response was rewritten; null when no CNAME target matched.</returns>
    public static async ValueTask<HandlerResult?> RewriteAsync(DnsQueryContext context, List<RewriteRule> applied, InternalResolver? resolver,
        Action<RewriteRule, string, string, string> logInvalid)
    {
        if (DnsMessage.TryParse(context.Response, out var response) != DnsError.None)
        {
            return null;
        }
        for (int i = 0; i < response.Answers.Count; i++)
        {
            if (response.Answers[i].Data is not CNameData cname)
            {
                continue;
            }
            var target = cname.Target.ToString().ToLowerInvariant();
            foreach (var rule in applied)
            {
                if (rule.Field != RewriteField.Cname || !rule.Pattern!.IsMatch(target))
                {
                    continue;
                }
                var next = NameText.Qualify(rule.Pattern.Replace(target, rule.To));
                if (!DnsName.TryParse(next, out var newTarget, out var error))
                {
                    logInvalid(rule, target, next, error ?? "invalid name");
                    context.ClearResponse();
                    return HandlerResult.NotWritten(ResponseCode.ServFail);
                }
                var answers = response.Answers.GetRange(0, i);
                var record = response.Answers[i];
                answers.Add(new DnsRecord(record.Name, record.Type, record.Class, record.Ttl, new CNameData(newTarget!)));
                var resolved = resolver is null ? null : await resolver.ResolveAsync(newTarget!, context.QuestionType).ConfigureAwait(false);
                if (resolved is not null)
                {
                    answers.AddRange(resolved.Answers);
                }
                Write(context, response, answers);
                return HandlerResult.Written(response.Rcode);
            }
        }
        return null;
    }

    private static void Write(DnsQueryContext context, DnsMessage response, List<DnsRecord> answers)
    {
        var writer = context.BeginResponse();
        bool truncated = !RecordListWriter.TryWriteAll(ref writer, answers, MessageSection.Answer)
            || !RecordListWriter.TryWriteAll(ref writer, response.Authority, MessageSection.Authority)
            || !RecordListWriter.TryWriteAll(ref writer, response.Additional, MessageSection.Additional);
        context.CompleteResponse(ref writer, response.Rcode, response.Header.AuthoritativeAnswer, truncated || response.Header.Truncated);
    }
}
