using System.Net;
using BenchmarkDotNet.Attributes;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Testing.Oracles;
using Arsoft = ARSoft.Tools.Net.Dns;

namespace ClusterDns.Benchmarks;

/// <summary>
/// What allocating per message would cost: one query (A, RD, EDNS 1232) to its one-record answer (A, TTL 30, OPT),
/// written in place by our codec, against the same response built as objects and encoded — by our own object model,
/// by ARSoft.Tools.Net — and the reading side alone (our object parse, ARSoft, DnsClient.NET, which only reads).
/// Figures: docs/architecture.md, "What allocating per message would cost".
/// </summary>
[MemoryDiagnoser]
public class AnswerEncodingBenchmarks
{
    private const string Name = "svc4242.ns42.svc.cluster.local.";
    private readonly byte[] _query = QueryBytes.Build(Name, RecordType.A);
    private readonly byte[] _address = [10, 96, 17, 146];
    private readonly IPAddress _ipAddress = new(new byte[] { 10, 96, 17, 146 });
    private readonly DnsQueryContext _context = new();
    private byte[] _response = [];

    [GlobalSetup]
    public void Setup()
    {
        OursInPlace();
        _response = _context.Response.ToArray();
    }

    /// <summary>The answer path: query copied into the pooled context and parsed, answer written in place.</summary>
    [Benchmark(Baseline = true)]
    public int OursInPlace()
    {
        QueryBytes.Load(_context, _query);
        var writer = _context.BeginResponse();
        writer.TryWriteRecordAt(DnsHeader.Size, RecordType.A, (ushort)RecordClass.IN, 30, _address, MessageSection.Answer);
        _context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated: false);
        return _context.ResponseLength;
    }

    /// <summary>Our own allocating object model (what the forwarder and the tests use), query to response bytes.</summary>
    [Benchmark]
    public int OursObjects()
    {
        DnsMessage.TryParse(_query, out var query);
        var response = new DnsMessage { Header = query.Header, Edns = new EdnsRecord { UdpPayloadSize = 1232 } };
        response.Header.IsResponse = true;
        response.Header.AuthoritativeAnswer = true;
        response.Questions.Add(query.Questions[0]);
        response.Answers.Add(new DnsRecord(query.Questions[0].Name, 30, new AData(_ipAddress)));
        return response.Write(_context.Buffer, 1232);
    }

    /// <summary>ARSoft.Tools.Net: parse the query, build its response instance, add the record, encode.</summary>
    [Benchmark]
    public int ArsoftObjects()
    {
        var query = Arsoft.DnsMessage.Parse(new ArraySegment<byte>(_query));
        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        response.AnswerRecords.Add(new Arsoft.ARecord(query.Questions[0].Name, 30, _ipAddress));
        return ArsoftOracle.Encode(response).Length;
    }

    [Benchmark]
    public int ReadResponseOurs() => DnsMessage.TryParse(_response, out var message) == DnsError.None ? message.Answers.Count : -1;

    [Benchmark]
    public int ReadResponseArsoft() => Arsoft.DnsMessage.Parse(new ArraySegment<byte>(_response)).AnswerRecords.Count;

    /// <summary>DnsClient.NET writes only queries; its reading of our response is the part it can do.</summary>
    [Benchmark]
    public object ReadResponseDnsClient() => DnsClientOracle.Read(_response);
}
