using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Protocol.Text;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Tests.Plugins.Dns64;

/// <summary>
/// Stands for the rest of the chain behind dns64 (CoreDNS's test has a fake next handler for the AAAA answer and a
/// fake upstream for the A lookup; here both are this one next handler): answers each type as scripted, with
/// records written as zone-file lines, and remembers every question it saw.
/// </summary>
internal sealed class Dns64Backend : DnsHandler
{
    private readonly Dictionary<RecordType, Script> _scripts = new();

    public override string Name => "backend";

    public List<(string Name, RecordType Type, AddressFamily Client, bool DnssecOk)> Seen { get; } = new();

    /// <summary>Answer with no response written at all (the server writes a bare one with this RCODE).</summary>
    public Dns64Backend Bare(RecordType type, ResponseCode rcode)
    {
        _scripts[type] = new Script(rcode, [], [], Truncated: false, Written: false);
        return this;
    }

    public Dns64Backend On(RecordType type, ResponseCode rcode, string[] answer, string[]? authority = null, bool truncated = false)
    {
        _scripts[type] = new Script(rcode, Records(answer), Records(authority ?? []), truncated, Written: true);
        return this;
    }

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        Seen.Add((DnsName.FromWire(context.QuestionName).ToString(), context.QuestionType, context.RemoteAddress.Family, context.Query.Edns.DnssecOk));
        if (!_scripts.TryGetValue(context.QuestionType, out var script))
        {
            throw new InvalidOperationException($"unexpected {context.QuestionType} question");
        }
        if (!script.Written)
        {
            return new ValueTask<HandlerResult>(HandlerResult.NotWritten(script.Rcode));
        }
        var writer = context.BeginResponse();
        Write(ref writer, script.Answer, MessageSection.Answer);
        Write(ref writer, script.Authority, MessageSection.Authority);
        context.CompleteResponse(ref writer, script.Rcode, authoritative: true, script.Truncated);
        return new ValueTask<HandlerResult>(HandlerResult.Written(script.Rcode));
    }

    private static void Write(ref MessageWriter writer, List<DnsRecord> records, MessageSection section)
    {
        foreach (var record in records)
        {
            Assert.True(writer.TryBeginRecord(record.Name.Wire, record.Type, (ushort)record.Class, record.Ttl, out var inProgress));
            Assert.True(record.Data.TryWrite(ref writer));
            writer.EndRecord(inProgress, section);
        }
    }

    public static List<DnsRecord> Records(string[] lines)
    {
        if (lines.Length == 0)
        {
            return [];
        }
        var result = ZoneFileReader.Read(new StringReader(string.Join('\n', lines)), "test", DnsName.Root);
        Assert.True(result.Succeeded, result.Error?.ToString());
        return [.. result.Records];
    }

    private sealed record Script(ResponseCode Rcode, List<DnsRecord> Answer, List<DnsRecord> Authority, bool Truncated, bool Written);
}
