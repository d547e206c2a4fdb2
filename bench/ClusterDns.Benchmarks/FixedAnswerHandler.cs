using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Benchmarks;

/// <summary>Stands for an upstream behind the cache: two A records with a 300 s TTL for any name.</summary>
internal sealed class FixedAnswerHandler : DnsHandler
{
    private static readonly byte[] First = [192, 0, 2, 1], Second = [192, 0, 2, 2];

    public override string Name => "fixed";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var writer = context.BeginResponse();
        writer.TryWriteRecordAt(DnsHeader.Size, RecordType.A, (ushort)RecordClass.IN, 300, First, MessageSection.Answer);
        writer.TryWriteRecordAt(DnsHeader.Size, RecordType.A, (ushort)RecordClass.IN, 300, Second, MessageSection.Answer);
        context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: false, truncated: false);
        return new ValueTask<HandlerResult>(HandlerResult.Written(ResponseCode.NoError));
    }
}
