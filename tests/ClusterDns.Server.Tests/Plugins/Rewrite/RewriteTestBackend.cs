using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Tests.Plugins.Rewrite;

/// <summary>
/// The handler after rewrite: remembers the question it was given and answers with records that point back at it
/// (an A owned by the question through a pointer to offset 12, and a CNAME whose target is that pointer too), so
/// the test sees both what later handlers saw and what rewrite made of their answer.
/// </summary>
internal sealed class RewriteTestBackend : DnsHandler
{
    public string SeenName { get; private set; } = string.Empty;
    public RecordType SeenType { get; private set; }
    public RecordClass SeenClass { get; private set; }
    public int Calls { get; private set; }

    /// <summary>When set, the backend writes nothing and returns this RCODE.</summary>
    public ResponseCode? BareRcode { get; set; }

    public uint Ttl { get; set; } = 30;

    public override string Name => "file";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        Calls++;
        SeenName = DnsName.Format(context.LowerName);
        SeenType = context.QuestionType;
        SeenClass = context.Query.Class;
        if (BareRcode is { } rcode)
        {
            return new(HandlerResult.NotWritten(rcode));
        }
        var writer = context.BeginResponse();
        writer.TryWriteRecordAt(DnsHeader.Size, RecordType.A, 1, Ttl, [192, 0, 2, 1], MessageSection.Answer);
        writer.TryBeginRecord(DnsName.Parse("alias.test.").Wire, RecordType.CNAME, 1, Ttl, out var record);
        writer.TryWritePointer(DnsHeader.Size);
        writer.EndRecord(record, MessageSection.Answer);
        context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated: false);
        return new(HandlerResult.Written(ResponseCode.NoError));
    }
}
