using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Tests.Plugins.K8sExternal;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Performance;

/// <summary>
/// With k8s_external in front of kubernetes (its place in the plugin order), cluster names still allocate
/// nothing, and neither do k8s_external's own answers (addresses, SRV, apex, negatives).
/// </summary>
public sealed class AllocationBudgetK8sExternalTests
{
    private const int Iterations = 2_000;

    private static readonly Lazy<K8sExternalFixture> Cluster = new(() => new K8sExternalFixture("k8s_external example.com {\nheadless\n}").LoadTestCluster());

    public static TheoryData<string, RecordType, ResponseCode, int> Paths => new()
    {
        // The cluster zone, passed through k8s_external.
        { "svc1.testns.svc.cluster.local.", RecordType.A, ResponseCode.NoError, 1 },
        { "_http._tcp.svc1.testns.svc.cluster.local.", RecordType.SRV, ResponseCode.NoError, 1 },
        { "missing.testns.svc.cluster.local.", RecordType.A, ResponseCode.NXDomain, 0 },
        // k8s_external's own answers.
        { "svc1.testns.example.com.", RecordType.A, ResponseCode.NoError, 1 },
        { "dual.testns.example.com.", RecordType.SRV, ResponseCode.NoError, 2 },
        { "_http._tcp.svc6.testns.example.com.", RecordType.SRV, ResponseCode.NoError, 1 },
        { "svc12.testns.example.com.", RecordType.CNAME, ResponseCode.NoError, 1 },
        { "svc1.testns.example.com.", RecordType.AAAA, ResponseCode.NoError, 0 },
        { "svc0.testns.example.com.", RecordType.A, ResponseCode.NXDomain, 0 },
        { "db.testns.example.com.", RecordType.SRV, ResponseCode.NoError, 2 },
        { "db-0.db.testns.example.com.", RecordType.A, ResponseCode.NoError, 1 },
        { "example.com.", RecordType.SOA, ResponseCode.NoError, 1 },
        { "example.com.", RecordType.NS, ResponseCode.NoError, 1 },
        { "ns1.dns.example.com.", RecordType.A, ResponseCode.NoError, 1 },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Query_path_allocates_nothing(string name, RecordType type, ResponseCode rcode, int answers)
    {
        var fixture = Cluster.Value;
        var block = new ServerBlockRuntime(fixture.Zones, fixture.Handler, [fixture.Handler, fixture.Cluster]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        var query = DnsMessage.CreateQuery(0x4242, DnsName.Parse(name), type, new EdnsRecord { UdpPayloadSize = 1232 }).ToArray();
        var context = new DnsQueryContext();

        Answer(processor, context, query);
        var response = InProcessQuery.Parse(context);
        Assert.Equal(rcode, response.Rcode);
        Assert.Equal(answers, response.Answers.Count);

        for (int i = 0; i < 100; i++)
        {
            Answer(processor, context, query);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            Answer(processor, context, query);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void Answer(QueryProcessor processor, DnsQueryContext context, byte[] query)
    {
        query.CopyTo(context.Buffer, 0);
        context.Reset(query.Length, TransportKind.Udp);
        Assert.True(processor.ProcessAsync(context).IsCompletedSuccessfully);
    }
}
