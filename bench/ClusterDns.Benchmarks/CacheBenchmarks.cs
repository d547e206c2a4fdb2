using BenchmarkDotNet.Attributes;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Cache;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Benchmarks;

/// <summary>A cache hit through the query processor: the answer an upstream gave, served from memory.</summary>
[MemoryDiagnoser]
public class CacheBenchmarks
{
    private QueryProcessor _processor = null!;
    private readonly DnsQueryContext _context = new();
    private readonly byte[] _query = QueryBytes.Build("www.example.org.", RecordType.A);

    [GlobalSetup]
    public void Setup()
    {
        var cache = new CacheHandler(new CacheOptions { Zones = [DnsName.Root] }, TimeProvider.System, NullLogger.Instance)
        {
            Next = new FixedAnswerHandler(),
        };
        var block = new ServerBlockRuntime([DnsName.Root], cache, [cache]);
        _processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        // The first query misses and stores the answer.
        QueryBytes.Load(_context, _query);
        _ = _processor.ProcessAsync(_context);
    }

    [Benchmark]
    public int CacheHit()
    {
        QueryBytes.Load(_context, _query);
        _ = _processor.ProcessAsync(_context);
        return _context.ResponseLength;
    }
}
