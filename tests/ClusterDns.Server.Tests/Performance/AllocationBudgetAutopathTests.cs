using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Telemetry;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Autopath;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Tests.Plugins.Kubernetes;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Performance;

/// <summary>
/// autopath in front of the cluster zone: the queries it does not walk (clients that are not pods, names that are
/// not a first expansion, and a pod's question for a name of its own namespace, answered by element 0 in place)
/// allocate nothing, as the cluster zone's own answers do.
/// </summary>
public sealed class AllocationBudgetAutopathTests
{
    private const int Iterations = 2_000;
    private const string PodAddress = "10.244.0.9";

    public static TheoryData<string, string, ResponseCode, int> UntouchedPaths => new()
    {
        // question, client, rcode, answers
        { "svc1.ns1.svc.cluster.local.", "10.99.0.1", ResponseCode.NoError, 1 },
        { "example.com.ns1.svc.cluster.local.", "10.99.0.1", ResponseCode.NXDomain, 0 },
        { "svc1.ns1.svc.cluster.local.", PodAddress, ResponseCode.NoError, 1 },
        { "svc2.ns2.svc.cluster.local.", PodAddress, ResponseCode.NoError, 1 },
        { "example.com.ns2.svc.cluster.local.", PodAddress, ResponseCode.NXDomain, 0 },
        { "cluster.local.", PodAddress, ResponseCode.NoError, 0 },
    };

    [Theory]
    [MemberData(nameof(UntouchedPaths))]
    public void Queries_autopath_does_not_walk_allocate_nothing(string name, string client, ResponseCode rcode, int answers)
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local in-addr.arpa ip6.arpa {\n pods verified\n ttl 30 }");
        for (int n = 0; n < 3; n++)
        {
            fixture.Upsert(new NamespaceObject { Name = "ns" + n });
            fixture.Upsert(ClusterObjects.ClusterIp("ns" + n, "svc" + n, $"10.96.1.{n}"));
        }
        fixture.Upsert(new PodObject { Namespace = "ns1", Name = "client", PodIPs = [IPAddress.Parse(PodAddress)], Phase = "Running" });
        fixture.Builder.Publish();
        var kubernetes = new KubernetesHandler(fixture.Options, () => fixture.Builder.Current, null, pods: () => fixture.Builder.PodAddresses);
        var metrics = new AutopathMetrics(new MetricsRegistry(), "dns://:53");
        var autopath = new AutopathHandler(new AutopathOptions { Zones = [DnsName.Root], Plugin = "kubernetes" }, metrics) { Next = kubernetes };
        autopath.Bind(kubernetes);
        var block = new ServerBlockRuntime(fixture.Zones, autopath, [autopath, kubernetes]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        var query = DnsMessage.CreateQuery(0x4242, DnsName.Parse(name), RecordType.A, new EdnsRecord { UdpPayloadSize = 1232 }).ToArray();
        var context = new DnsQueryContext { RemoteAddress = new IPEndPoint(IPAddress.Parse(client), 40000).Serialize() };

        query.CopyTo(context.Buffer, 0);
        context.Reset(query.Length, TransportKind.Udp);
        Assert.True(processor.ProcessAsync(context).IsCompletedSuccessfully);
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
        _ = processor.ProcessAsync(context); // no assertion in the measured loop: the assertion library allocates
    }
}
