using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.K8sExternal;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.K8sExternal;

/// <summary>What k8s_external does around its records: fallthrough, before the first sync, changes, other zones.</summary>
public sealed class K8sExternalBehaviourTests
{
    [Fact]
    public async Task Fallthrough_passes_a_missing_name_to_the_next_plugin_and_keeps_existing_ones()
    {
        var fixture = new K8sExternalFixture("k8s_external example.com {\nfallthrough\n}").LoadTestCluster();

        // The next plugins: kubernetes (not its zone), then whoami, whose answer has an empty answer section
        // and the client's address in additional.
        var missing = await fixture.AskAsync("svc0.testns.example.com.", RecordType.A);
        Assert.Equal(ResponseCode.NoError, missing.Rcode);
        Assert.Empty(missing.Authority);
        Assert.Contains(missing.Additional, r => r.Type == RecordType.SRV);

        var present = await fixture.AskAsync("svc1.testns.example.com.", RecordType.A);
        Assert.Equal(["svc1.testns.example.com. 5 in a 1.2.3.4"], InProcessQuery.Lines(present.Answers));
        // NODATA is not a miss.
        var nodata = await fixture.AskAsync("svc1.testns.example.com.", RecordType.AAAA);
        Assert.Equal(ResponseCode.NoError, nodata.Rcode);
        Assert.Single(nodata.Authority);
    }

    [Fact]
    public async Task Fallthrough_limited_to_zones_passes_only_those()
    {
        var fixture = new K8sExternalFixture("k8s_external example.com example.net {\nfallthrough example.net\n}").LoadTestCluster();

        var com = await fixture.AskAsync("svc0.testns.example.com.", RecordType.A);
        var net = await fixture.AskAsync("svc0.testns.example.net.", RecordType.A);

        Assert.Equal(ResponseCode.NXDomain, com.Rcode);
        Assert.Equal(ResponseCode.NoError, net.Rcode);
        Assert.Contains(net.Additional, r => r.Type == RecordType.SRV);
        var both = await fixture.AskAsync("svc1.testns.example.net.", RecordType.A);
        Assert.Equal(["svc1.testns.example.net. 5 in a 1.2.3.4"], InProcessQuery.Lines(both.Answers));
    }

    [Fact]
    public async Task Before_the_first_sync_a_miss_is_servfail_not_nxdomain()
    {
        var fixture = new K8sExternalFixture(synced: false);

        var response = await fixture.AskAsync("svc1.testns.example.com.", RecordType.A);
        Assert.Equal(ResponseCode.ServFail, response.Rcode);

        fixture.LoadTestCluster();
        fixture.MarkSynced();
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("svc1.testns.example.com.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("svc0.testns.example.com.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Load_balancer_status_changes_are_answered_at_the_next_publish()
    {
        var fixture = new K8sExternalFixture().LoadTestCluster();
        var http = new ServicePort("http", "tcp", 80);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("lb.testns.example.com.", RecordType.A)).Rcode);

        // Created without an address, then the cloud controller writes status.loadBalancer.ingress.
        fixture.Upsert(K8sExternalFixture.Service("testns", "lb", "LoadBalancer", ["10.0.5.5"], [], [], http));
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("lb.testns.example.com.", RecordType.A)).Rcode);
        fixture.Upsert(K8sExternalFixture.Service("testns", "lb", "LoadBalancer", ["10.0.5.5"], ["203.0.113.7"], [], http));
        fixture.Builder.Publish();
        var answered = await fixture.AskAsync("lb.testns.example.com.", RecordType.A);
        Assert.Equal(["lb.testns.example.com. 5 in a 203.0.113.7"], InProcessQuery.Lines(answered.Answers));

        // The cluster name keeps answering the cluster IP only.
        var cluster = await InProcessQuery.AskAsync(fixture.Cluster, fixture.Zones, "lb.testns.svc.cluster.local.", RecordType.A);
        Assert.Equal(["lb.testns.svc.cluster.local. 5 in a 10.0.5.5"], InProcessQuery.Lines(cluster.Answers));

        fixture.Builder.Apply(ClusterChange.Delete(ResourceKind.Service, "testns/lb"));
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("lb.testns.example.com.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Names_outside_its_zones_and_other_classes_go_to_the_next_plugin()
    {
        var fixture = new K8sExternalFixture().LoadTestCluster();

        var cluster = await fixture.AskAsync("svc1.testns.svc.cluster.local.", RecordType.A);
        Assert.Equal(["svc1.testns.svc.cluster.local. 5 in a 10.0.0.1"], InProcessQuery.Lines(cluster.Answers));
        var elsewhere = await fixture.AskAsync("svc1.testns.example.org.", RecordType.A);
        Assert.Contains(elsewhere.Additional, r => r.Type == RecordType.SRV); // whoami
    }

    [Fact]
    public async Task Without_a_kubernetes_plugin_queries_pass_through()
    {
        var options = new K8sExternalOptions { Zones = [DnsName.Parse("example.com.")] };
        var next = new ClusterDns.Server.Plugins.Whoami.WhoamiHandler();
        var handler = new K8sExternalHandler(options, () => [next], resolver: null, NullLogger.Instance) { Next = next };

        var response = await InProcessQuery.AskAsync(handler, [DnsName.Root], "svc1.testns.example.com.", RecordType.A);

        Assert.Equal(ResponseCode.NoError, response.Rcode);
        Assert.Contains(response.Additional, r => r.Type == RecordType.SRV);
    }

    [Fact]
    public async Task A_reply_too_large_for_udp_is_truncated_with_the_records_that_fit()
    {
        var fixture = new K8sExternalFixture().LoadTestCluster();
        var many = Enumerable.Range(1, 120).Select(i => $"198.51.{i / 250}.{i % 250 + 1}").ToArray();
        fixture.Upsert(K8sExternalFixture.Service("testns", "big", "LoadBalancer", ["10.0.6.6"], many, [], new ServicePort("http", "tcp", 80)));
        fixture.Builder.Publish();

        var context = InProcessQuery.Prepare("big.testns.example.com.", RecordType.A, ednsSize: null);
        var block = new ClusterDns.Server.Pipeline.ServerBlockRuntime(fixture.Zones, fixture.Handler, [fixture.Handler]);
        await new ClusterDns.Server.Pipeline.QueryProcessor(new ClusterDns.Server.Pipeline.ZoneRouter([block]),
            ClusterDns.Server.Pipeline.NullQueryObserver.Instance, NullLogger.Instance).ProcessAsync(context);
        var response = InProcessQuery.Parse(context);

        Assert.True(response.Header.Truncated);
        Assert.InRange(response.Answers.Count, 1, 119);
        Assert.True(context.ResponseLength <= 512);
    }
}
