using BenchmarkDotNet.Attributes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes;

namespace ClusterDns.Benchmarks;

/// <summary>Finding a name in the published cluster index (hash of the lower-case wire name, one shard).</summary>
[MemoryDiagnoser]
public class ClusterIndexBenchmarks
{
    private ClusterIndex _index = null!;
    private byte[] _hit = null!, _miss = null!;

    [Params(1_000, 10_000, 100_000)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _index = new SyntheticCluster(Services).Builder.Current;
        _hit = DnsName.Parse("svc42.ns42.svc.cluster.local.").Wire.ToArray();
        _miss = DnsName.Parse("svc42.ns42.svc.cluster.local.ns7.svc.cluster.local.").Wire.ToArray();
    }

    [Benchmark(Baseline = true)]
    public bool Hit() => !_index.Find(_hit).IsNull;

    [Benchmark]
    public bool Miss() => !_index.Find(_miss).IsNull;
}
