using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>Builds queries, runs them through a handler in-process, and parses what came back.</summary>
internal static class TestDns
{
    public static byte[] Query(string name, RecordType type = RecordType.A, ushort id = 0x4242, bool edns = false, bool dnssecOk = false, ushort udpSize = 1232)
    {
        var message = DnsMessage.CreateQuery(id, DnsName.Parse(name), type, edns || dnssecOk ? new EdnsRecord { UdpPayloadSize = udpSize, DnssecOk = dnssecOk } : null);
        return message.ToArray();
    }

    public static DnsQueryContext Context(byte[] query, TransportKind transport = TransportKind.Udp)
    {
        var context = new DnsQueryContext();
        query.CopyTo(context.Buffer, 0);
        context.Reset(query.Length, transport);
        Assert.Equal(QueryVerdict.Accept, context.Verdict);
        return context;
    }

    /// <summary>Runs the query through the handler as the server would (bare response when nothing was written).</summary>
    public static async Task<DnsMessage> RunAsync(DnsHandler handler, byte[] query, TransportKind transport = TransportKind.Udp)
    {
        var context = Context(query, transport);
        var result = await handler.ServeAsync(context);
        if (!result.IsWritten)
        {
            context.WriteBareResponse(result.Rcode);
        }
        return ResponseOracle.AssertParses(context.Response);
    }

    public static DnsMessage Parse(ReadOnlySpan<byte> wire)
    {
        Assert.Equal(DnsError.None, DnsMessage.TryParse(wire, out var message));
        return message;
    }

    /// <summary>A reply to <paramref name="query"/> with one A record per address.</summary>
    public static DnsMessage AnswerA(DnsMessage query, uint ttl, params string[] addresses)
    {
        var reply = new DnsMessage { Header = query.Header, Edns = query.Edns };
        reply.Header.IsResponse = true;
        reply.Header.RecursionAvailable = true;
        reply.Questions.AddRange(query.Questions);
        foreach (var address in addresses)
        {
            reply.Answers.Add(new DnsRecord(query.Questions[0].Name, ttl, new AData(IPAddress.Parse(address))));
        }
        return reply;
    }

    /// <summary>The first directive of a one-block Corefile.</summary>
    public static Directive Directive(string text)
    {
        var document = CorefileParser.Parse(". {\n" + text + "\n}\n", "Corefile");
        return document.ServerBlocks[0].Directives[0];
    }

    public static IReadOnlyList<string> Addresses(DnsMessage message) =>
        message.Answers.Where(r => r.Type == RecordType.A).Select(r => r.Data.ToString()!).ToList();
}
