using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ClusterDns.Protocol;
using ClusterDns.Protocol.Text;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Template;

/// <summary>
/// The answer of a matched template: execute its templates, parse each result as one RR in presentation form,
/// follow CNAME targets through the server's own pipeline (A/AAAA questions, as CoreDNS), write the response.
/// This path allocates; only queries a template matched take it.
/// </summary>
internal static class TemplateAnswer
{
    public static async ValueTask<HandlerResult> ServeAsync(TemplateHandler handler, DnsQueryContext context, TemplateRule rule,
        Regex regex, string zone, TemplateMetrics metrics, InternalResolver? resolver)
    {
        var data = Data(context, rule, regex, zone);
        metrics.Matched(data);
        var answer = new List<DnsRecord>();
        var authority = new List<DnsRecord>();
        var additional = new List<DnsRecord>();
        if (!TryExecute(rule.Answer, "answer", data, metrics, answer)
            || !TryExecute(rule.Additional, "additional", data, metrics, additional)
            || !TryExecute(rule.Authority, "authority", data, metrics, authority))
        {
            return HandlerResult.NotWritten(ResponseCode.ServFail);
        }
        var qtype = context.QuestionType;
        if (resolver is not null && qtype is RecordType.A or RecordType.AAAA)
        {
            int count = answer.Count;
            for (int i = 0; i < count; i++)
            {
                if (answer[i].Data is CNameData cname)
                {
                    var upstream = await resolver.ResolveAsync(cname.Target, qtype).ConfigureAwait(false);
                    if (upstream is not null)
                    {
                        answer.AddRange(upstream.Answers);
                    }
                }
            }
        }
        Write(context, rule, answer, authority, additional);
        context.WrittenBy = handler.Name;
        return HandlerResult.Written(rule.Rcode);
    }

    private static TemplateData Data(DnsQueryContext context, TemplateRule rule, Regex regex, string zone)
    {
        Span<char> buffer = stackalloc char[1024];
        string name = new(buffer[..TemplateNames.Format(context.LowerName, buffer)]);
        var match = regex.Match(name);
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = new string[match.Groups.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = match.Groups[i].Value;
            groups[i.ToString(CultureInfo.InvariantCulture)] = values[i];
        }
        foreach (Group group in match.Groups)
        {
            if (!int.TryParse(group.Name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                groups[group.Name] = group.Value;
            }
        }
        // An ANY question shows the template's own class/type, as CoreDNS does.
        var qclass = context.Query.Class == RecordClass.ANY ? rule.Class : context.Query.Class;
        var qtype = context.QuestionType == RecordType.ANY ? rule.Type : context.QuestionType;
        var remote = context.RemoteEndPoint.Address;
        byte[] request = context.Request.ToArray();
        return new TemplateData
        {
            Zone = zone,
            Name = name,
            Class = RecordTypeNames.ToText(qclass),
            Type = RecordTypeNames.ToText(qtype),
            Regex = regex.ToString(),
            Match = values,
            Group = groups,
            Remote = (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString(),
            Message = () => DnsMessage.TryParse(request, out var message) == DnsError.None ? message.ToString() : "",
            Meta = label => context.GetMetadata(label) ?? "",
        };
    }

    private static bool TryExecute(TemplateText[] templates, string section, TemplateData data, TemplateMetrics metrics, List<DnsRecord> records)
    {
        foreach (var template in templates)
        {
            if (!template.TryExecute(data, out var text, out _))
            {
                metrics.TemplateFailed(data, section, template);
                return false;
            }
            // miekg/dns's NewRR: relative names are completed with the root, a missing TTL is 3600.
            var result = ZoneFileReader.Read(new StringReader("$TTL 3600\n" + text), "template", DnsName.Root);
            if (!result.Succeeded || result.Records.Count != 1)
            {
                metrics.RecordFailed(data, section, template);
                return false;
            }
            records.Add(result.Records[0]);
        }
        return true;
    }

    private static void Write(DnsQueryContext context, TemplateRule rule, List<DnsRecord> answer, List<DnsRecord> authority, List<DnsRecord> additional)
    {
        byte[]? ede = null;
        if (rule.ExtendedError is ushort code && context.Query.Edns.IsPresent)
        {
            byte[] reason = Encoding.UTF8.GetBytes(rule.ExtendedErrorReason);
            ede = new byte[6 + reason.Length];
            BinaryPrimitives.WriteUInt16BigEndian(ede, EdnsOption.ExtendedError);
            BinaryPrimitives.WriteUInt16BigEndian(ede.AsSpan(2), (ushort)(2 + reason.Length));
            BinaryPrimitives.WriteUInt16BigEndian(ede.AsSpan(4), code);
            reason.CopyTo(ede.AsSpan(6));
        }
        var writer = context.BeginResponse();
        if (ede is not null)
        {
            writer.Limit -= ede.Length; // room for the option beside the OPT record BeginResponse keeps
        }
        bool truncated = !RecordListWriter.TryWriteAll(ref writer, answer, MessageSection.Answer)
            || !RecordListWriter.TryWriteAll(ref writer, authority, MessageSection.Authority)
            || !RecordListWriter.TryWriteAll(ref writer, additional, MessageSection.Additional);
        context.CompleteResponse(ref writer, rule.Rcode, authoritative: true, truncated, ede);
    }
}
