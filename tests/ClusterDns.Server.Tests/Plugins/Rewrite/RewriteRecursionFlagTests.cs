using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Rewrite;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Rewrite;

/// <summary>A rewritten answer keeps the RA flag it had: set on forwarded answers, clear on authoritative ones.</summary>
public sealed class RewriteRecursionFlagTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rewritten_answer_keeps_RA_as_it_was(bool recursionAvailable)
    {
        var directive = CorefileParser.Parse(". {\n rewrite name a.nl b.nl\n}\n", "/tmp/Corefile").ServerBlocks[0].Directives[0];
        var handler = new RewriteHandler(RewriteSetup.Parse(directive), NullLogger.Instance) { Next = new Answering(recursionAvailable) };
        var context = InProcessQuery.Prepare("a.nl.", RecordType.A);

        var result = await handler.ServeAsync(context);

        Assert.True(result.IsWritten);
        Assert.Equal(DnsError.None, DnsMessage.TryParse(context.Response, out var response));
        Assert.Equal("a.nl.", response.Answers[0].Name.ToString());
        Assert.Equal(recursionAvailable, response.Header.RecursionAvailable);
    }

    /// <summary>Answers with one A record and, like forward and cache, RA when told.</summary>
    private sealed class Answering(bool recursionAvailable) : DnsHandler
    {
        public override string Name => "forward";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            var writer = context.BeginResponse();
            writer.TryWriteRecordAt(DnsHeader.Size, RecordType.A, 1, 30, [192, 0, 2, 1], MessageSection.Answer);
            context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: false, truncated: false);
            if (recursionAvailable)
            {
                context.Buffer[3] |= 0x80;
            }
            return new(HandlerResult.Written(ResponseCode.NoError));
        }
    }
}
