using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Telemetry;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Dns64;

namespace ClusterDns.Server.Tests.Plugins.Dns64;

/// <summary>Queries dns64 does not translate cost nothing: not AAAA, an IPv4 client, or an AAAA answer that has AAAA records.</summary>
public sealed class Dns64AllocationTests
{
    private const int Iterations = 2_000;

    [Theory]
    [InlineData(RecordType.A, "::1")]
    [InlineData(RecordType.MX, "2001:db8::1")]
    [InlineData(RecordType.AAAA, "127.0.0.1")]
    [InlineData(RecordType.AAAA, "::ffff:10.0.0.1")]
    [InlineData(RecordType.AAAA, "::1")]
    public void Queries_dns64_passes_on_allocate_nothing(RecordType type, string client)
    {
        var handler = new Dns64Handler(new Dns64Options(), new Dns64Metrics(new MetricsRegistry(), "dns://:53")) { Next = new FixedAnswer() };
        var query = new DnsMessage { Edns = new EdnsRecord() };
        query.Questions.Add(new DnsQuestion(DnsName.Parse("www.example.org."), type, RecordClass.IN));
        var bytes = query.ToArray();
        var context = new DnsQueryContext { RemoteAddress = new IPEndPoint(IPAddress.Parse(client), 5353).Serialize() };
        int answered = 0;
        for (int i = 0; i < 100; i++)
        {
            answered += Serve(handler, context, bytes);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            // No assertion inside the loop: the assertion library allocates.
            answered += Serve(handler, context, bytes);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Iterations + 100, answered);
        Assert.Equal(0, allocated);
    }

    private static int Serve(DnsHandler handler, DnsQueryContext context, byte[] bytes)
    {
        bytes.CopyTo(context.Buffer, 0);
        context.Reset(bytes.Length, TransportKind.Udp);
        var pending = handler.ServeAsync(context);
        return pending.IsCompletedSuccessfully && pending.Result.IsWritten ? 1 : 0;
    }

    /// <summary>One record of the question's type (AAAA, A, or an empty MX answer), pre-encoded.</summary>
    private sealed class FixedAnswer : DnsHandler
    {
        private static readonly byte[] V4 = IPAddress.Parse("192.0.2.1").GetAddressBytes();
        private static readonly byte[] V6 = IPAddress.Parse("2001:db8::1").GetAddressBytes();

        public override string Name => "fixed";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            var writer = context.BeginResponse();
            if (context.QuestionType is RecordType.A or RecordType.AAAA)
            {
                var rdata = context.QuestionType == RecordType.A ? V4 : V6;
                writer.TryWriteRecordAt(DnsHeader.Size, context.QuestionType, (ushort)RecordClass.IN, 300, rdata, MessageSection.Answer);
            }
            context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated: false);
            return new ValueTask<HandlerResult>(HandlerResult.Written(ResponseCode.NoError));
        }
    }
}
