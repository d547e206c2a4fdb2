using ClusterDns.Protocol;
using ClusterDns.Protocol.Text;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Tests.Plugins.Minimal;

/// <summary>
/// Stands for the plugins after minimal: writes the given sections (zone-file lines) and RCODE; with a gate, only once the
/// test opens it (an asynchronous answer, as forward's).
/// </summary>
internal sealed class SectionsHandler(ResponseCode rcode, string[] answer, string[] authority, string[] additional, TaskCompletionSource? gate = null) : DnsHandler
{
    public override string Name => "sections";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context) =>
        gate is null ? new ValueTask<HandlerResult>(Write(context)) : WriteLaterAsync(gate.Task, context);

    private async ValueTask<HandlerResult> WriteLaterAsync(Task opened, DnsQueryContext context)
    {
        await opened.ConfigureAwait(false);
        return Write(context);
    }

    private HandlerResult Write(DnsQueryContext context)
    {
        var writer = context.BeginResponse();
        WriteSection(ref writer, answer, MessageSection.Answer);
        WriteSection(ref writer, authority, MessageSection.Authority);
        WriteSection(ref writer, additional, MessageSection.Additional);
        context.CompleteResponse(ref writer, rcode, authoritative: true, truncated: false);
        return HandlerResult.Written(rcode);
    }

    private static void WriteSection(ref MessageWriter writer, string[] lines, MessageSection section)
    {
        var parsed = ZoneFileReader.Read(new StringReader(string.Join('\n', lines)), "sections", DnsName.Parse("."));
        Assert.True(parsed.Succeeded, parsed.Error?.ToString());
        foreach (var record in parsed.Records)
        {
            Assert.True(writer.TryWriteRecord(record.Name.Wire, record.Type, (ushort)record.Class, record.Ttl, record.Data.ToWire(), section));
        }
    }
}
