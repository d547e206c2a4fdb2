using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Cache;
using ClusterDns.Server.Tests.Plugins.Kubernetes;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Performance;

/// <summary>
/// The micro benchmarks' allocation budgets (bench/ClusterDns.Benchmarks), checked deterministically:
/// each path runs many times on this thread and must allocate nothing at all. Not timed.
/// </summary>
public sealed class AllocationBudgetTests
{
    private const int Iterations = 2_000;

    public static TheoryData<string, RecordType, ResponseCode, int> ClusterPaths => new()
    {
        // name, type, expected rcode, expected answer count
        { "svc7.ns2.svc.cluster.local.", RecordType.A, ResponseCode.NoError, 1 },
        { "headless3.ns3.svc.cluster.local.", RecordType.A, ResponseCode.NoError, 5 },
        { "_http._tcp.svc7.ns2.svc.cluster.local.", RecordType.SRV, ResponseCode.NoError, 1 },
        { "svc7.ns2.svc.cluster.local.", RecordType.AAAA, ResponseCode.NoError, 0 },
        { "svc7.ns2.svc.cluster.local.ns1.svc.cluster.local.", RecordType.A, ResponseCode.NXDomain, 0 },
        { "cluster.local.", RecordType.SOA, ResponseCode.NoError, 1 },
    };

    [Theory]
    [MemberData(nameof(ClusterPaths))]
    public void Cluster_query_path_allocates_nothing(string name, RecordType type, ResponseCode rcode, int answers)
    {
        var fixture = SyntheticCluster();
        var block = new ServerBlockRuntime(fixture.Zones, fixture.Handler, [fixture.Handler]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);

        var (query, context) = Prepare(name, type);
        var response = AnswerOnce(processor, context, query);
        Assert.Equal(rcode, response.Rcode);
        Assert.Equal(answers, response.Answers.Count);

        Assert.Equal(0, AllocatedWhileAnswering(processor, context, query));
    }

    [Fact]
    public void Cluster_query_no_rewrite_rule_matches_allocates_nothing()
    {
        var fixture = SyntheticCluster();
        var document = ClusterDns.Corefile.CorefileParser.Parse(
            ". {\n rewrite name foo.example.com foo.default.svc.cluster.local\n rewrite name regex (.*)\\.corp\\.local {1}.default.svc.cluster.local answer auto\n rewrite type ANY HINFO\n}\n",
            "/tmp/Corefile");
        var directives = document.ServerBlocks[0].Directives;
        var rewrite = new ClusterDns.Server.Plugins.Rewrite.RewriteHandler(ClusterDns.Server.Plugins.Rewrite.RewriteSetup.Parse(directives[0]), NullLogger.Instance)
        {
            Next = fixture.Handler,
        };
        rewrite.Add(ClusterDns.Server.Plugins.Rewrite.RewriteSetup.Parse(directives[1]));
        rewrite.Add(ClusterDns.Server.Plugins.Rewrite.RewriteSetup.Parse(directives[2]));
        var block = new ServerBlockRuntime(fixture.Zones, rewrite, [rewrite, fixture.Handler]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);

        var (query, context) = Prepare("svc7.ns2.svc.cluster.local.", RecordType.A);
        Assert.Single(AnswerOnce(processor, context, query).Answers);

        Assert.Equal(0, AllocatedWhileAnswering(processor, context, query));
    }

    [Fact]
    public void Cluster_query_chosen_by_view_allocates_nothing()
    {
        var fixture = SyntheticCluster();
        static ClusterDns.Server.Plugins.View.QueryView View(string name, string expression)
        {
            Assert.True(ClusterDns.Server.Plugins.View.ViewExpression.TryParse(expression, out var parsed, out var error), error);
            return new ClusterDns.Server.Plugins.View.QueryView(name, [parsed!]);
        }
        // The first view does not admit the query (the client is ::), the second does; the default block is last.
        var outside = new ServerBlockRuntime(fixture.Zones, fixture.Handler, [fixture.Handler]) { View = View("outside", "incidr(client_ip(), '10.0.0.0/8') || type() in ['MX']") };
        var inside = new ServerBlockRuntime(fixture.Zones, fixture.Handler, [fixture.Handler]) { View = View("inside", "incidr(client_ip(), '::/0') && name() endsWith '.cluster.local.' && proto() == 'udp'") };
        var fallback = new ServerBlockRuntime(fixture.Zones, fixture.Handler, [fixture.Handler]);
        var processor = new QueryProcessor(new ZoneRouter([outside, inside, fallback]), NullQueryObserver.Instance, NullLogger.Instance);

        var (query, context) = Prepare("svc7.ns2.svc.cluster.local.", RecordType.A);
        Assert.Single(AnswerOnce(processor, context, query).Answers);
        Assert.Same(inside, context.Block);

        Assert.Equal(0, AllocatedWhileAnswering(processor, context, query));
    }

    [Fact]
    public void Cache_hit_allocates_nothing()
    {
        var cache = new CacheHandler(new CacheOptions { Zones = [DnsName.Root] }, TimeProvider.System, NullLogger.Instance)
        {
            Next = new OneAddressHandler(),
        };
        var block = new ServerBlockRuntime([DnsName.Root], cache, [cache]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        var (query, context) = Prepare("www.example.org.", RecordType.A);
        AnswerOnce(processor, context, query); // the miss stores the answer

        Assert.Equal(0, AllocatedWhileAnswering(processor, context, query));
        Assert.True(cache.Hits >= Iterations);
    }

    [Fact]
    public void Query_parse_allocates_nothing()
    {
        var (query, _) = Prepare("svc7.ns2.svc.cluster.local.", RecordType.A);
        var lowerName = new byte[WireName.MaxLength + 1];
        QueryParser.Parse(query, lowerName, out _);
        int accepted = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            // No assertion inside the loop: the assertion library allocates.
            accepted += QueryParser.Parse(query, lowerName, out _) == QueryVerdict.Accept ? 1 : 0;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(Iterations, accepted);
        Assert.Equal(0, allocated);
    }

    /// <summary>A small cluster of the load benchmark's shapes: ClusterIP Services with two named ports, headless ones with 5 endpoints.</summary>
    private static ClusterZoneFixture SyntheticCluster()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local in-addr.arpa ip6.arpa {\n ttl 30 }");
        for (int n = 0; n < 5; n++)
        {
            fixture.Upsert(new NamespaceObject { Name = "ns" + n });
        }
        for (int i = 0; i < 50; i++)
        {
            fixture.Upsert(ClusterObjects.ClusterIp("ns" + (i % 5), "svc" + i, $"10.96.1.{i}", new ServicePort("http", "TCP", 80), new ServicePort("grpc", "TCP", 9090)));
        }
        for (int h = 0; h < 5; h++)
        {
            var port = new ServicePort("tcp-app", "TCP", 8080);
            fixture.Upsert(ClusterObjects.Headless("ns" + (h % 5), "headless" + h, false, port));
            fixture.Upsert(ClusterObjects.Slice("ns" + (h % 5), "headless" + h, $"headless{h}-abcde",
                Enumerable.Range(0, 5).Select(e => ClusterObjects.Endpoint($"10.128.1.{h * 5 + e}")), port));
        }
        fixture.Builder.Publish();
        return fixture;
    }

    private static (byte[] Query, DnsQueryContext Context) Prepare(string name, RecordType type)
    {
        var query = DnsMessage.CreateQuery(0x4242, DnsName.Parse(name), type, new EdnsRecord { UdpPayloadSize = 1232 }).ToArray();
        return (query, new DnsQueryContext());
    }

    private static DnsMessage AnswerOnce(QueryProcessor processor, DnsQueryContext context, byte[] query)
    {
        query.CopyTo(context.Buffer, 0);
        context.Reset(query.Length, TransportKind.Udp);
        Assert.True(processor.ProcessAsync(context).IsCompletedSuccessfully);
        return InProcessQuery.Parse(context);
    }

    /// <summary>Bytes allocated on this thread over <see cref="Iterations"/> answers, after a warm-up.</summary>
    private static long AllocatedWhileAnswering(QueryProcessor processor, DnsQueryContext context, byte[] query)
    {
        for (int i = 0; i < 100; i++)
        {
            Answer(processor, context, query);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            Answer(processor, context, query);
        }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void Answer(QueryProcessor processor, DnsQueryContext context, byte[] query)
    {
        query.CopyTo(context.Buffer, 0);
        context.Reset(query.Length, TransportKind.Udp);
        _ = processor.ProcessAsync(context);
    }

    /// <summary>Stands for an upstream behind the cache: one A record for any name.</summary>
    private sealed class OneAddressHandler : DnsHandler
    {
        private static readonly byte[] Address = IPAddress.Parse("192.0.2.1").GetAddressBytes();

        public override string Name => "upstream";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            var writer = context.BeginResponse();
            writer.TryWriteRecordAt(DnsHeader.Size, RecordType.A, (ushort)RecordClass.IN, 300, Address, MessageSection.Answer);
            context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: false, truncated: false);
            return new ValueTask<HandlerResult>(HandlerResult.Written(ResponseCode.NoError));
        }
    }
}
