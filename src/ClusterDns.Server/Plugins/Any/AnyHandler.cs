using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Any;

/// <summary>
/// CoreDNS's any: answers an ANY query with one synthesised HINFO record (RFC 8482 section 4.2) instead of every
/// record set; other query types pass on untouched. The record is pre-encoded, owner a pointer to the question.
/// </summary>
internal sealed class AnyHandler : DnsHandler
{
    private const uint Ttl = 8482;

    /// <summary>HINFO "ANY obsoleted" "See RFC 8482": two character strings.</summary>
    internal static readonly byte[] Hinfo = BuildHinfo("ANY obsoleted", "See RFC 8482");

    public override string Name => "any";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        if (context.QuestionType != RecordType.ANY)
        {
            return NextAsync(context);
        }
        var writer = context.BeginResponse();
        bool ok = writer.TryWriteRecordAt(DnsHeader.Size, RecordType.HINFO, (ushort)RecordClass.IN, Ttl, Hinfo, MessageSection.Answer);
        context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: false, truncated: !ok);
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(ResponseCode.NoError));
    }

    private static byte[] BuildHinfo(string cpu, string os)
    {
        var data = new byte[cpu.Length + os.Length + 2];
        data[0] = (byte)cpu.Length;
        System.Text.Encoding.ASCII.GetBytes(cpu, data.AsSpan(1));
        data[cpu.Length + 1] = (byte)os.Length;
        System.Text.Encoding.ASCII.GetBytes(os, data.AsSpan(cpu.Length + 2));
        return data;
    }
}
