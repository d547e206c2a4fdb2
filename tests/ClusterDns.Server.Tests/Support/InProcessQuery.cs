using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.Server.Tests.Support;

/// <summary>Runs one query through a handler in-process, the way a listener does, and parses the response.</summary>
public static class InProcessQuery
{
    public static DnsQueryContext Prepare(string name, RecordType type, TransportKind transport = TransportKind.Udp, ushort? ednsSize = 1232, RecordClass recordClass = RecordClass.IN)
    {
        var query = new DnsMessage();
        query.Header.Id = 0x1234;
        query.Header.RecursionDesired = true;
        query.Questions.Add(new DnsQuestion(DnsName.Parse(name), type, recordClass));
        if (ednsSize is { } size)
        {
            query.Edns = new EdnsRecord { UdpPayloadSize = size };
        }
        var context = new DnsQueryContext();
        int length = query.Write(context.Buffer, context.Buffer.Length);
        context.Reset(length, transport);
        return context;
    }

    /// <summary>Serves through <paramref name="handler"/> with the server's own rules (bare responses, routing).</summary>
    public static async Task<DnsMessage> AskAsync(DnsHandler handler, IReadOnlyList<DnsName> zones, string name, RecordType type,
        TransportKind transport = TransportKind.Udp, ushort? ednsSize = 1232)
    {
        var context = Prepare(name, type, transport, ednsSize);
        var block = new ServerBlockRuntime(zones, handler, [handler]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await processor.ProcessAsync(context);
        return Parse(context);
    }

    public static DnsMessage Parse(DnsQueryContext context)
    {
        Assert.True(context.ResponseLength > 0, "no response was written");
        return ResponseOracle.AssertParses(context.Response);
    }

    /// <summary>Records as normalised presentation lines (single spaces, lower-case owner), sorted.</summary>
    public static string[] Lines(IEnumerable<DnsRecord> records) =>
        records.Select(Line).Order(StringComparer.Ordinal).ToArray();

    public static string Line(DnsRecord record) =>
        string.Join(' ', record.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
}
