using BenchmarkDotNet.Attributes;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Benchmarks;

/// <summary>
/// The whole in-process query path a UDP receive loop runs per packet: put the request in the context,
/// parse it (Reset), route it, the kubernetes handler, the response written in place. 10,000 Services.
/// </summary>
[MemoryDiagnoser]
public class QueryPathBenchmarks
{
    private SyntheticCluster _cluster = null!;
    private QueryProcessor _processor = null!;
    private readonly DnsQueryContext _context = new();
    private byte[] _clusterIpA = null!, _headlessA = null!, _srv = null!, _noData = null!, _nxDomain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new SyntheticCluster(10_000);
        var block = new ServerBlockRuntime(_cluster.Zones, _cluster.Handler, [_cluster.Handler]);
        _processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        _clusterIpA = QueryBytes.Build("svc4242.ns42.svc.cluster.local.", RecordType.A);
        _headlessA = QueryBytes.Build("headless42.ns42.svc.cluster.local.", RecordType.A);
        _srv = QueryBytes.Build("_http._tcp.svc4242.ns42.svc.cluster.local.", RecordType.SRV);
        _noData = QueryBytes.Build("svc4242.ns42.svc.cluster.local.", RecordType.AAAA);
        _nxDomain = QueryBytes.Build("svc4242.ns42.svc.cluster.local.ns7.svc.cluster.local.", RecordType.A);
    }

    [Benchmark(Baseline = true)]
    public int ClusterIpA() => Answer(_clusterIpA);

    [Benchmark]
    public int HeadlessA5Endpoints() => Answer(_headlessA);

    [Benchmark]
    public int Srv() => Answer(_srv);

    [Benchmark]
    public int NoData() => Answer(_noData);

    [Benchmark]
    public int NxDomainSearchExpansion() => Answer(_nxDomain);

    private int Answer(byte[] query)
    {
        QueryBytes.Load(_context, query);
        _ = _processor.ProcessAsync(_context);
        return _context.ResponseLength;
    }
}
