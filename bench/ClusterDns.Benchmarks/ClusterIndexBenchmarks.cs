using BenchmarkDotNet.Attributes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Benchmarks;

/// <summary>
/// Finding things in the published cluster index: a Service's record by its key (the name and namespace
/// labels of <c>svc.ns.svc.zone</c>), a miss the way a search-list name misses (its key is <c>local.ns7</c>),
/// and a stored name (a namespace) by its whole lower-case wire name.
/// </summary>
[MemoryDiagnoser]
public class ClusterIndexBenchmarks
{
    private ClusterIndex _index = null!;
    private byte[] _serviceKey = null!, _missKey = null!, _name = null!;

    [Params(1_000, 10_000, 100_000)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _index = new SyntheticCluster(Services).Builder.Current;
        _serviceKey = ClusterServiceCodec.Key("svc42", "ns42")!;
        _missKey = ClusterServiceCodec.Key("local", "ns7")!;
        _name = DnsName.Parse("ns42.svc.cluster.local.").Wire.ToArray();
    }

    [Benchmark(Baseline = true)]
    public bool ServiceHit() => !_index.FindService(_serviceKey).IsNull;

    [Benchmark]
    public bool ServiceMiss() => !_index.FindService(_missKey).IsNull;

    [Benchmark]
    public bool NameHit() => !_index.Find(_name).IsNull;
}
