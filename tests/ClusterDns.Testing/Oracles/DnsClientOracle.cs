using System.Collections;
using System.Net;
using System.Reflection;
using ClusterDns.Protocol;
using DnsClient.Protocol;
using Xunit;

namespace ClusterDns.Testing.Oracles;

/// <summary>
/// DnsClient.NET 1.8.0 as an independent reader of responses. It has no public "parse these bytes" entry: its
/// <c>LookupClient</c> reads every UDP answer with <c>DnsUdpMessageHandler.GetResponseMessage(ArraySegment)</c>
/// (public, on an internal class), so that one method is bound by reflection (the version is pinned in
/// Directory.Packages.props; a missing member fails loudly). Its result type is internal too: the header and the
/// record lists are read through their properties, whose types are public.
/// </summary>
public static class DnsClientOracle
{
    private static readonly Assembly Library = typeof(DnsClient.LookupClient).Assembly;
    private static readonly Func<ArraySegment<byte>, object> ReadResponse = BindReader();
    private static readonly Type MessageType = Library.GetType("DnsClient.DnsResponseMessage", throwOnError: true)!;
    private static readonly PropertyInfo HeaderProperty = Property("Header");
    private static readonly PropertyInfo QuestionsProperty = Property("Questions");
    private static readonly PropertyInfo AnswersProperty = Property("Answers");
    private static readonly PropertyInfo AuthoritiesProperty = Property("Authorities");
    private static readonly PropertyInfo AdditionalsProperty = Property("Additionals");

    /// <summary>DnsClient's own reading of a response (its internal DnsResponseMessage); throws what DnsClient throws.</summary>
    public static object Read(byte[] wire) => ReadResponse(new ArraySegment<byte>(wire));

    /// <summary>Checks DnsClient's view of a response against ours: header, counts, question, every record's owner, type, class, TTL and typed RDATA.</summary>
    public static void AssertAgrees(byte[] wire, DnsMessage ours)
    {
        object message;
        try
        {
            message = Read(wire);
        }
        catch (Exception exception)
        {
            Assert.Fail($"DnsClient cannot parse the response: {exception.GetType().Name}: {exception.Message}\n{Convert.ToHexString(wire)}\n{ours}");
            return;
        }
        string context = $"DnsClient's view differs from ours\n{Convert.ToHexString(wire)}\n{ours}";
        var header = (DnsClient.DnsResponseHeader)HeaderProperty.GetValue(message)!;
        Check(header.Id == ours.Header.Id, "ID", context);
        Check((int)header.OPCode == (int)ours.Header.Opcode, "OPCODE", context);
        Check((int)header.ResponseCode == ours.Header.Rcode, $"RCODE {header.ResponseCode}", context);
        RecordComparison.AssertSameFlags((header.HasAuthorityAnswer, header.ResultTruncated, header.RecursionDesired, header.RecursionAvailable,
            header.IsAuthenticData, header.IsCheckingDisabled), ours.Header, context);
        Check(header.QuestionCount == ours.Questions.Count && header.AnswerCount == ours.Answers.Count
            && header.NameServerCount == ours.Authority.Count
            && header.AdditionalCount == ours.Additional.Count + (ours.Edns is null ? 0 : 1), "header counts", context);

        var questions = (IList)QuestionsProperty.GetValue(message)!;
        Check(questions.Count == ours.Questions.Count, "question count", context);
        for (int i = 0; i < questions.Count; i++)
        {
            var question = (DnsClient.DnsQuestion)questions[i]!;
            Check(SameName(question.QueryName, ours.Questions[i].Name) && (ushort)question.QuestionType == (ushort)ours.Questions[i].Type
                && (ushort)question.QuestionClass == (ushort)ours.Questions[i].Class, $"question {i} '{question}'", context);
        }
        CheckSection((IList)AnswersProperty.GetValue(message)!, ours.Answers, "answer", context);
        CheckSection((IList)AuthoritiesProperty.GetValue(message)!, ours.Authority, "authority", context);
        // DnsClient keeps the OPT record among the additional records; ours holds it apart.
        var additionals = ((IList)AdditionalsProperty.GetValue(message)!).Cast<DnsResourceRecord>().Where(r => r is not DnsClient.Protocol.Options.OptRecord).ToList();
        Check(additionals.Count == ((IList)AdditionalsProperty.GetValue(message)!).Count - (ours.Edns is null ? 0 : 1), "OPT record", context);
        CheckSection(additionals, ours.Additional, "additional", context);
    }

    private static void CheckSection(IList theirs, List<DnsRecord> ours, string section, string context)
    {
        Check(theirs.Count == ours.Count, $"{section} count {theirs.Count}", context);
        for (int i = 0; i < ours.Count; i++)
        {
            var record = (DnsResourceRecord)theirs[i]!;
            Check(SameRecord(record, ours[i]), $"{section} {i} '{record}'", context);
        }
    }

    /// <summary>
    /// Owner, type, class, TTL and typed RDATA. Quirk: <c>TimeToLive</c> counts down from the moment DnsClient read
    /// the record (for its cache); the TTL on the wire is <c>InitialTimeToLive</c>.
    /// </summary>
    public static bool SameRecord(DnsResourceRecord record, DnsRecord ours) =>
        SameName(record.DomainName, ours.Name) && (ushort)record.RecordType == (ushort)ours.Type
        && (ushort)record.RecordClass == (ushort)ours.Class && record.InitialTimeToLive == unchecked((int)ours.Ttl) && SameData(record, ours.Data);

    /// <summary>Typed RDATA where DnsClient decodes the type into fields; other types are compared by owner, type and TTL only.</summary>
    private static bool SameData(DnsResourceRecord record, RecordData ours) => (record, ours) switch
    {
        (ARecord a, AData b) => a.Address.Equals(b.Address),
        (AaaaRecord a, AaaaData b) => a.Address.Equals(b.Address),
        (CNameRecord a, CNameData b) => SameName(a.CanonicalName, b.Target),
        (NsRecord a, NsData b) => SameName(a.NSDName, b.NameServer),
        (PtrRecord a, PtrData b) => SameName(a.PtrDomainName, b.Target),
        (MxRecord a, MxData b) => a.Preference == b.Preference && SameName(a.Exchange, b.Exchange),
        (SrvRecord a, SrvData b) => a.Priority == b.Priority && a.Weight == b.Weight && a.Port == b.Port && SameName(a.Target, b.Target),
        (SoaRecord a, SoaData b) => SameName(a.MName, b.PrimaryNameServer) && SameName(a.RName, b.ResponsibleMailbox) && a.Serial == b.Serial
            && a.Refresh == b.Refresh && a.Retry == b.Retry && a.Expire == b.Expire && a.Minimum == b.Minimum,
        (TxtRecord a, TxtData b) => a.Text.Count == b.Strings.Count,
        (CaaRecord a, CaaData b) => a.Flags == b.Flags && a.Tag == b.Tag,
        (ARecord or AaaaRecord or CNameRecord or NsRecord or PtrRecord or MxRecord or SrvRecord or SoaRecord or TxtRecord or CaaRecord, _) => false,
        _ => true,
    };

    /// <summary>
    /// Quirk: DnsClient's names are lossy text. <c>Original</c> decodes label bytes as UTF-8 and <c>Value</c> escapes
    /// only bytes above 0x7E (<c>\ddd</c>), neither escapes a dot inside a label, and the root is an empty string. So
    /// our labels are rendered with DnsClient's own label function (<c>DnsDatagramReader.ParseString</c>) and compared
    /// with <c>Value</c>, ignoring case: that checks DnsClient read the same label bytes (pointers followed alike).
    /// </summary>
    private static bool SameName(DnsClient.DnsString theirs, DnsName ours)
    {
        if (ours.IsRoot)
        {
            return theirs.Value is "" or ".";
        }
        var escaped = new System.Text.StringBuilder();
        var decoded = new System.Text.StringBuilder();
        for (int i = 0; i < ours.LabelCount; i++)
        {
            escaped.Append(DnsClient.DnsDatagramReader.ParseString(ours.GetLabel(i).ToArray())).Append('.');
            decoded.Append(System.Text.Encoding.UTF8.GetString(ours.GetLabel(i))).Append('.');
        }
        // The question's name is read by another routine, which gives the UTF-8 text in Value as well.
        return string.Equals(theirs.Value, escaped.ToString(), StringComparison.OrdinalIgnoreCase)
            || string.Equals(theirs.Value, decoded.ToString(), StringComparison.OrdinalIgnoreCase)
            || string.Equals(theirs.Original, decoded.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    private static void Check(bool condition, string what, string context)
    {
        if (!condition)
        {
            Assert.Fail($"{what}: {context}");
        }
    }

    private static Func<ArraySegment<byte>, object> BindReader()
    {
        var handlerType = Library.GetType("DnsClient.DnsUdpMessageHandler", throwOnError: true)!;
        var handler = Activator.CreateInstance(handlerType, nonPublic: true)!;
        var method = handlerType.GetMethod("GetResponseMessage", BindingFlags.Instance | BindingFlags.Public, [typeof(ArraySegment<byte>)])
            ?? throw new MissingMethodException("DnsClient's DnsUdpMessageHandler.GetResponseMessage(ArraySegment<byte>) is gone: the pinned DnsClient changed.");
        return method.CreateDelegate<Func<ArraySegment<byte>, object>>(handler);
    }

    private static PropertyInfo Property(string name) =>
        MessageType.GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        ?? throw new MissingMemberException($"DnsClient's DnsResponseMessage.{name} is gone: the pinned DnsClient changed.");
}
