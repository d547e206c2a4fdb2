using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Protocol.Text;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Zones;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.Server.Tests.Zones;

/// <summary>Runs queries through a handler in process and returns the parsed response.</summary>
internal static class ZoneQueryHarness
{
    public static string SampleZonePath => Path.Combine(AppContext.BaseDirectory, "testdata", "Zones", "example.org.zone");

    public static AuthoritativeZone LoadZone(string path, string origin)
    {
        var result = ZoneFileReader.Read(path, DnsName.Parse(origin));
        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.True(AuthoritativeZone.TryCreate(DnsName.Parse(origin), result.Records, out var zone, out var error), error);
        return zone;
    }

    /// <summary>Copies a query into a fresh context as a listener would.</summary>
    public static DnsQueryContext CreateContext(string name, RecordType type, TransportKind transport = TransportKind.Udp,
        EdnsRecord? edns = null, IPEndPoint? client = null, RecordClass recordClass = RecordClass.IN)
    {
        var query = new DnsMessage { Edns = edns };
        query.Header.Id = 0x4242;
        query.Questions.Add(new DnsQuestion(DnsName.Parse(name), type, recordClass));
        var bytes = query.ToArray();
        var context = new DnsQueryContext();
        bytes.CopyTo(context.Buffer, 0);
        client ??= new IPEndPoint(IPAddress.Loopback, 40000);
        context.RemoteAddress = client.Serialize();
        context.Reset(bytes.Length, transport);
        return context;
    }

    /// <summary>Serves the query with <paramref name="handler"/> (which must answer synchronously) and parses the response.</summary>
    public static DnsMessage Query(DnsHandler handler, string name, RecordType type, TransportKind transport = TransportKind.Udp,
        EdnsRecord? edns = null, IPEndPoint? client = null)
    {
        var context = CreateContext(name, type, transport, edns, client);
        return Serve(handler, context);
    }

    public static DnsMessage Serve(DnsHandler handler, DnsQueryContext context)
    {
        var pending = handler.ServeAsync(context);
        Assert.True(pending.IsCompletedSuccessfully, "the handler should answer synchronously");
        var result = pending.Result;
        if (!result.IsWritten)
        {
            context.WriteBareResponse(result.Rcode);
        }
        return ResponseOracle.AssertParses(context.Response);
    }

    /// <summary>Presentation lines, lower-cased owner names, sorted: sections compare as sets.</summary>
    public static string[] Lines(IEnumerable<DnsRecord> records) =>
        records.Select(Normalize).Order(StringComparer.Ordinal).ToArray();

    public static string Normalize(DnsRecord record) =>
        new DnsRecord(record.Name.ToLower(), record.Type, record.Class, record.Ttl, record.Data).ToString();

    public static string[] SortedLines(IEnumerable<string> lines) => lines.Order(StringComparer.Ordinal).ToArray();
}

/// <summary>A handler at the end of a chain that records that it was reached and answers REFUSED unwritten.</summary>
internal sealed class TerminalHandler : DnsHandler
{
    public int Calls { get; private set; }

    public override string Name => "terminal";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        Calls++;
        return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.Refused));
    }
}
