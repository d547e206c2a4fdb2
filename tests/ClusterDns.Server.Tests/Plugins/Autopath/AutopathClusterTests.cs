using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Telemetry;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Autopath;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Tests.Plugins.Forward;
using ClusterDns.Server.Tests.Plugins.Kubernetes;

namespace ClusterDns.Server.Tests.Plugins.Autopath;

/// <summary>
/// autopath in front of the real cluster zone (<c>pods verified</c>), the client found by its source address:
/// CoreDNS's plugin/kubernetes/autopath_test.go cases (which search list a pod gets), and what the walk answers.
/// </summary>
public sealed class AutopathClusterTests
{
    private const string DefaultPod = "10.240.0.1";
    private const string HostAddress = "10.16.0.1";

    private readonly ClusterZoneFixture _cluster = new("kubernetes cluster.local in-addr.arpa ip6.arpa { pods verified\n ttl 30 }");
    private readonly AutopathTestBackend _upstream = new(new Dictionary<string, ResponseCode>
    {
        ["example.com."] = ResponseCode.NoError,
        ["missing."] = ResponseCode.NXDomain,
    });
    private readonly AutopathHandler _autopath;
    private readonly AutopathMetrics _metrics = new(new MetricsRegistry(), "dns://:53");

    public AutopathClusterTests()
    {
        foreach (var ns in new[] { "default", "prod", "other" })
        {
            _cluster.Upsert(new NamespaceObject { Name = ns });
        }
        _cluster.Upsert(ClusterObjects.ClusterIp("default", "web", "10.96.0.5"));
        _cluster.Upsert(ClusterObjects.ClusterIp("prod", "web", "10.96.0.6"));
        _cluster.Upsert(Pod("default", "client", DefaultPod));
        // Host-network pods of two namespaces share the node's address: nobody can say whose query it is.
        _cluster.Upsert(Pod("default", "node-agent", HostAddress));
        _cluster.Upsert(Pod("other", "node-exporter", HostAddress));
        _cluster.Builder.Publish();
        var kubernetes = new KubernetesHandler(_cluster.Options, () => _cluster.Builder.Current, null, pods: () => _cluster.Builder.PodAddresses) { Next = _upstream };
        _autopath = new AutopathHandler(new AutopathOptions { Zones = [DnsName.Root], Plugin = "kubernetes" }, _metrics) { Next = kubernetes };
        _autopath.Bind(kubernetes);
    }

    private static PodObject Pod(string ns, string name, string ip, string phase = "Running") =>
        new() { Namespace = ns, Name = name, PodIPs = [IPAddress.Parse(ip)], Phase = phase };

    private async Task<DnsMessage> AskAsync(string name, string from = DefaultPod, RecordType type = RecordType.A)
    {
        var context = TestDns.Context(TestDns.Query(name, type));
        context.RemoteAddress = new IPEndPoint(IPAddress.Parse(from), 40000).Serialize();
        var result = await _autopath.ServeAsync(context);
        if (!result.IsWritten)
        {
            context.WriteBareResponse(result.Rcode);
        }
        Assert.Equal(name, DnsName.Format(context.QuestionName)); // the request is the client's again
        return TestDns.Parse(context.Response);
    }

    public static TheoryData<string, string, string[]> Walks => new()
    {
        // question from the default pod → rcode, answer (in order)
        { "web.default.svc.cluster.local.", "NoError", ["web.default.svc.cluster.local. 30 IN A 10.96.0.5"] },
        { "web.prod.default.svc.cluster.local.", "NoError", ["web.prod.default.svc.cluster.local. 30 IN CNAME web.prod.svc.cluster.local.", "web.prod.svc.cluster.local. 30 IN A 10.96.0.6"] },
        { "example.com.default.svc.cluster.local.", "NoError", ["example.com.default.svc.cluster.local. 3600 IN CNAME example.com.", "example.com. 3600 IN A 127.0.0.53"] },
        { "missing.default.svc.cluster.local.", "NXDomain", [] },
        // Not the first element for a pod of default: passed on as it is.
        { "example.com.other.svc.cluster.local.", "NXDomain", [] },
        { "example.com.svc.cluster.local.", "NXDomain", [] },
    };

    [Theory]
    [MemberData(nameof(Walks))]
    public async Task A_pods_first_search_expansion_is_completed_on_the_server(string name, string rcode, string[] answer)
    {
        var response = await AskAsync(name);

        Assert.Equal(Enum.Parse<ResponseCode>(rcode), response.Rcode);
        Assert.Equal(answer, response.Answers.Select(Line).ToArray());
        if (response.Rcode == ResponseCode.NXDomain)
        {
            // The first element's own denial, from the cluster zone.
            Assert.Equal("cluster.local.", Assert.Single(response.Authority).Name.ToString());
        }
    }

    [Fact]
    public async Task The_walk_asks_the_pods_list_in_coredns_order_and_counts_one_success()
    {
        await AskAsync("example.com.default.svc.cluster.local.");

        // The cluster zone answers the first three itself; the upstream sees only the name as typed.
        Assert.Equal(["example.com."], _upstream.Asked);
        Assert.DoesNotContain(_upstream.Asked, n => n.EndsWith("cluster.local.", StringComparison.Ordinal));
        Assert.Equal(1, _metrics.Value);
    }

    public static TheoryData<string, string> PassedOn => new()
    {
        { "10.99.0.1", "no pod has the address" },
        { HostAddress, "pods of two namespaces have the address" },
        { "::ffff:10.99.0.1", "an IPv4-mapped client without a pod" },
    };

    [Theory]
    [MemberData(nameof(PassedOn))]
    public async Task A_client_that_is_not_one_pod_gets_the_plain_answer(string from, string why)
    {
        var response = await AskAsync("example.com.default.svc.cluster.local.", from);

        Assert.True(response.Rcode == ResponseCode.NXDomain, why);
        Assert.Empty(_upstream.Asked);
        Assert.Equal(0, _metrics.Value);
    }

    [Fact]
    public async Task An_ipv4_mapped_client_address_is_the_pods_address()
    {
        var response = await AskAsync("example.com.default.svc.cluster.local.", "::ffff:" + DefaultPod);

        Assert.Equal(RecordType.CNAME, response.Answers[0].Type);
    }

    [Fact]
    public async Task A_pod_that_stopped_running_or_was_deleted_is_no_longer_found()
    {
        _cluster.Upsert(Pod("default", "client", DefaultPod, phase: "Succeeded"));
        _cluster.Builder.Publish();
        Assert.Equal(ResponseCode.NXDomain, (await AskAsync("example.com.default.svc.cluster.local.")).Rcode);

        _cluster.Upsert(Pod("prod", "client", DefaultPod));
        _cluster.Builder.Publish();
        var moved = await AskAsync("example.com.prod.svc.cluster.local.");
        Assert.Equal("example.com.prod.svc.cluster.local. 3600 IN CNAME example.com.", Line(moved.Answers[0]));

        _cluster.Delete(ResourceKind.Pod, "prod/client");
        _cluster.Builder.Publish();
        Assert.Equal(ResponseCode.NXDomain, (await AskAsync("example.com.prod.svc.cluster.local.")).Rcode);
    }

    [Fact]
    public async Task Without_pods_verified_queries_pass_through()
    {
        var insecure = new ClusterZoneFixture("kubernetes cluster.local { pods insecure }");
        var kubernetes = new KubernetesHandler(insecure.Options, () => insecure.Builder.Current, null, pods: () => insecure.Builder.PodAddresses) { Next = _upstream };
        var autopath = new AutopathHandler(new AutopathOptions { Zones = [DnsName.Root], Plugin = "kubernetes" }, _metrics) { Next = kubernetes };
        autopath.Bind(kubernetes);
        insecure.Upsert(Pod("default", "client", DefaultPod));
        insecure.Builder.Publish();
        var context = TestDns.Context(TestDns.Query("example.com.default.svc.cluster.local."));
        context.RemoteAddress = new IPEndPoint(IPAddress.Parse(DefaultPod), 40000).Serialize();

        await autopath.ServeAsync(context);

        Assert.False(kubernetes.FindsPods);
        Assert.Empty(_upstream.Asked);
    }

    private static string Line(DnsRecord record) =>
        string.Join(' ', record.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
