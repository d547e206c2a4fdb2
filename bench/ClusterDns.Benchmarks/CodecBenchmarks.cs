using BenchmarkDotNet.Attributes;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Benchmarks;

/// <summary>The codec alone: parsing a query's header, question and OPT; writing a one-record answer in place.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly byte[] _query = QueryBytes.Build("svc4242.ns42.svc.cluster.local.", RecordType.A);
    private readonly byte[] _lowerName = new byte[WireName.MaxLength + 1];
    private readonly byte[] _address = [10, 96, 17, 146];
    private readonly DnsQueryContext _context = new();

    [GlobalSetup]
    public void Setup() => QueryBytes.Load(_context, _query);

    [Benchmark]
    public QueryVerdict ParseQuery() => QueryParser.Parse(_query, _lowerName, out _);

    /// <summary>Answer section (owner as a pointer to the question), OPT and header, over the parsed query.</summary>
    [Benchmark]
    public int WriteAnswer()
    {
        var writer = _context.BeginResponse();
        writer.TryWriteRecordAt(DnsHeader.Size, RecordType.A, (ushort)RecordClass.IN, 30, _address, MessageSection.Answer);
        _context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated: false);
        return _context.ResponseLength;
    }
}
