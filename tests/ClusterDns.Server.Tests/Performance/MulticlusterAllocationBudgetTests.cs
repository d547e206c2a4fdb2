using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Tests.Plugins.Kubernetes.Multicluster;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Performance;

/// <summary>
/// The multicluster zone answers as the cluster zone does: without allocating, whatever the name's shape
/// (checked as <see cref="AllocationBudgetTests"/> checks the cluster zone, over zones/demo-clusterset).
/// </summary>
public sealed class MulticlusterAllocationBudgetTests
{
    private const int Iterations = 2_000;

    public static TheoryData<string, RecordType, ResponseCode, int> Paths => new()
    {
        { "web.shop.svc.clusterset.local.", RecordType.A, ResponseCode.NoError, 1 },
        { "pets.db.svc.clusterset.local.", RecordType.AAAA, ResponseCode.NoError, 2 },
        { "_https._tcp.pets.db.svc.clusterset.local.", RecordType.SRV, ResponseCode.NoError, 4 },
        { "web.shop.svc.clusterset.local.", RecordType.SRV, ResponseCode.NoError, 2 },
        { "pet-1.cluster-a.pets.db.svc.clusterset.local.", RecordType.A, ResponseCode.NoError, 1 },
        { "cluster-a.pets.db.svc.clusterset.local.", RecordType.A, ResponseCode.NoError, 0 },
        { "missing.shop.svc.clusterset.local.", RecordType.A, ResponseCode.NXDomain, 0 },
        // The cluster zone beside it pays one length check for the option.
        { "web.shop.svc.cluster.local.", RecordType.A, ResponseCode.NoError, 1 },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Clusterset_query_path_allocates_nothing(string name, RecordType type, ResponseCode rcode, int answers)
    {
        var fixture = await new ClustersetFixture().LoadAsync();
        var block = new ServerBlockRuntime(fixture.Zones, fixture.Handler, [fixture.Handler]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        var query = DnsMessage.CreateQuery(0x4242, DnsName.Parse(name), type, new EdnsRecord { UdpPayloadSize = 1232 }).ToArray();
        var context = new DnsQueryContext();

        Answer(processor, context, query);
        var response = InProcessQuery.Parse(context);
        Assert.Equal(rcode, response.Rcode);
        Assert.Equal(answers, response.Answers.Count);

        Assert.Equal(0, AllocatedOnThisThread(() => Answer(processor, context, query)));
    }

    /// <summary>Bytes allocated on this thread over <see cref="Iterations"/> runs, after a warm-up.</summary>
    private static long AllocatedOnThisThread(Action answer)
    {
        for (int i = 0; i < 100; i++)
        {
            answer();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            answer();
        }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void Answer(QueryProcessor processor, DnsQueryContext context, byte[] query)
    {
        query.CopyTo(context.Buffer, 0);
        context.Reset(query.Length, TransportKind.Udp);
        Assert.True(processor.ProcessAsync(context).IsCompletedSuccessfully);
    }
}
