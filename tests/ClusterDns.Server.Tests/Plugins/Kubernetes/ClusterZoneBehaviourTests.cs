using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Tests.Support;
using static ClusterDns.Server.Tests.Plugins.Kubernetes.ClusterObjects;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>How the zone follows changes, and the options that change what it serves.</summary>
public sealed class ClusterZoneBehaviourTests
{
    private static readonly ServicePort Http = new("http", "TCP", 80);

    [Fact]
    public async Task A_new_service_answers_at_once_and_a_deleted_one_is_gone()
    {
        var fixture = new ClusterZoneFixture();
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("api.team.svc.cluster.local.", RecordType.A)).Rcode);

        fixture.Upsert(ClusterIp("team", "api", "10.96.5.5", Http));
        fixture.Builder.Publish();
        Assert.Equal(["api.team.svc.cluster.local. 30 in a 10.96.5.5"], InProcessQuery.Lines((await fixture.AskAsync("api.team.svc.cluster.local.", RecordType.A)).Answers));
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("team.svc.cluster.local.", RecordType.A)).Rcode);

        fixture.Delete(ResourceKind.Service, "team/api");
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("api.team.svc.cluster.local.", RecordType.A)).Rcode);
        // The namespace existed only through the Service (no Namespace object): it goes too, with its SRV subtree.
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("team.svc.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("_tcp.api.team.svc.cluster.local.", RecordType.SRV)).Rcode);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("5.5.96.10.in-addr.arpa.", RecordType.PTR)).Rcode);
    }

    [Fact]
    public async Task A_declared_namespace_without_services_is_nodata()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(new NamespaceObject { Name = "empty" });
        fixture.Builder.Publish();
        var response = await fixture.AskAsync("empty.svc.cluster.local.", RecordType.A);
        Assert.Equal(ResponseCode.NoError, response.Rcode);
        Assert.Empty(response.Answers);

        fixture.Delete(ResourceKind.Namespace, "empty");
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("empty.svc.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Headless_endpoints_follow_slices_and_readiness()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(Headless("db", "pg", ports: Http));
        fixture.Upsert(Slice("db", "pg", "pg-1", [Endpoint("10.1.0.1", hostname: "pg-0"), Endpoint("10.1.0.2", ready: false, hostname: "pg-1")], Http));
        fixture.Upsert(Slice("db", "pg", "pg-2", [Endpoint("10.1.0.3")], Http));
        fixture.Builder.Publish();

        Assert.Equal(
            ["pg.db.svc.cluster.local. 30 in a 10.1.0.1", "pg.db.svc.cluster.local. 30 in a 10.1.0.3"],
            InProcessQuery.Lines((await fixture.AskAsync("pg.db.svc.cluster.local.", RecordType.A)).Answers));
        // No hostname: the dashed IP names the endpoint.
        Assert.Equal(["10-1-0-3.pg.db.svc.cluster.local. 30 in a 10.1.0.3"], InProcessQuery.Lines((await fixture.AskAsync("10-1-0-3.pg.db.svc.cluster.local.", RecordType.A)).Answers));
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("pg-1.pg.db.svc.cluster.local.", RecordType.A)).Rcode);

        // The second slice goes away: its endpoint goes with it.
        fixture.Delete(ResourceKind.EndpointSlice, "db/pg-2");
        fixture.Builder.Publish();
        Assert.Equal(["pg.db.svc.cluster.local. 30 in a 10.1.0.1"], InProcessQuery.Lines((await fixture.AskAsync("pg.db.svc.cluster.local.", RecordType.A)).Answers));

        // No ready endpoint left: the name does not exist (specification), until publishNotReadyAddresses.
        fixture.Upsert(Slice("db", "pg", "pg-1", [Endpoint("10.1.0.2", ready: false, hostname: "pg-1")], Http));
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("pg.db.svc.cluster.local.", RecordType.A)).Rcode);
        fixture.Upsert(Headless("db", "pg", publishNotReady: true, ports: Http));
        fixture.Builder.Publish();
        Assert.Equal(["pg.db.svc.cluster.local. 30 in a 10.1.0.2"], InProcessQuery.Lines((await fixture.AskAsync("pg.db.svc.cluster.local.", RecordType.A)).Answers));
    }

    [Fact]
    public async Task A_pod_ip_behind_two_services_gets_two_ptrs()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(Headless("a", "one", ports: Http));
        fixture.Upsert(Headless("a", "two", ports: Http));
        fixture.Upsert(Slice("a", "one", "one-1", [Endpoint("10.2.0.9", hostname: "x")], Http));
        fixture.Upsert(Slice("a", "two", "two-1", [Endpoint("10.2.0.9", hostname: "x")], Http));
        fixture.Builder.Publish();
        Assert.Equal(
            ["9.0.2.10.in-addr.arpa. 30 in ptr x.one.a.svc.cluster.local.", "9.0.2.10.in-addr.arpa. 30 in ptr x.two.a.svc.cluster.local."],
            InProcessQuery.Lines((await fixture.AskAsync("9.0.2.10.in-addr.arpa.", RecordType.PTR)).Answers));
    }

    [Fact]
    public async Task Before_the_first_sync_unknown_names_are_servfail_not_nxdomain()
    {
        var fixture = new ClusterZoneFixture(synced: false);
        fixture.Upsert(ClusterIp("team", "api", "10.96.5.5", Http));
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.ServFail, (await fixture.AskAsync("other.team.svc.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("api.team.svc.cluster.local.", RecordType.A)).Rcode);

        fixture.MarkSynced();
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("other.team.svc.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task A_large_headless_service_truncates_over_udp_and_answers_in_full_over_tcp()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(Headless("big", "many", ports: Http));
        fixture.Upsert(Slice("big", "many", "many-1", Enumerable.Range(0, 300).Select(i => Endpoint($"10.3.{i / 250}.{i % 250 + 1}")), Http));
        fixture.Builder.Publish();

        var udp = await fixture.AskAsync("many.big.svc.cluster.local.", RecordType.A, TransportKind.Udp);
        Assert.True(udp.Header.Truncated);
        Assert.NotNull(udp.Edns);
        // The records that fit in 1232 bytes are kept (musl before 1.2.4 never retries over TCP).
        Assert.InRange(udp.Answers.Count, 60, 299);
        Assert.True(udp.ToArray().Length <= 1232);

        var tcp = await fixture.AskAsync("many.big.svc.cluster.local.", RecordType.A, TransportKind.Tcp);
        Assert.False(tcp.Header.Truncated);
        Assert.Equal(300, tcp.Answers.Count);
    }

    [Fact]
    public async Task Without_edns_the_limit_is_512_bytes()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(Headless("mid", "svc40", ports: Http));
        fixture.Upsert(Slice("mid", "svc40", "s", Enumerable.Range(1, 40).Select(i => Endpoint($"10.4.0.{i}")), Http));
        fixture.Builder.Publish();
        Assert.True((await fixture.AskAsync("svc40.mid.svc.cluster.local.", RecordType.A, ednsSize: null)).Header.Truncated);
        Assert.Equal(40, (await fixture.AskAsync("svc40.mid.svc.cluster.local.", RecordType.A, ednsSize: 1232)).Answers.Count);
    }

    [Fact]
    public async Task Endpoint_pod_names_name_endpoints_without_hostname_after_their_pod()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local { endpoint_pod_names }");
        fixture.Upsert(Headless("web", "nginx", ports: Http));
        fixture.Upsert(Slice("web", "nginx", "n", [Endpoint("10.5.0.1", pod: "nginx-abc"), Endpoint("10.5.0.2", hostname: "pinned", pod: "nginx-def")], Http));
        fixture.Builder.Publish();
        Assert.Equal(["nginx-abc.nginx.web.svc.cluster.local. 5 in a 10.5.0.1"], InProcessQuery.Lines((await fixture.AskAsync("nginx-abc.nginx.web.svc.cluster.local.", RecordType.A)).Answers));
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("pinned.nginx.web.svc.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Ignore_empty_service_hides_cluster_ip_services_without_ready_endpoints()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local { ignore empty_service }");
        fixture.Upsert(ClusterIp("a", "idle", "10.96.9.9", Http));
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("idle.a.svc.cluster.local.", RecordType.A)).Rcode);
        fixture.Upsert(Slice("a", "idle", "idle-1", [Endpoint("10.9.0.1")], Http));
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("idle.a.svc.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Namespaces_option_exposes_only_the_listed_namespaces()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local { namespaces shown }");
        fixture.Upsert(ClusterIp("shown", "a", "10.96.1.1", Http));
        fixture.Upsert(ClusterIp("hidden", "b", "10.96.1.2", Http));
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("a.shown.svc.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("b.hidden.svc.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Namespace_labels_follow_namespace_changes()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local { namespace_labels team=dns }");
        fixture.Upsert(new NamespaceObject { Name = "n1", Labels = new Dictionary<string, string> { ["team"] = "other" } });
        fixture.Upsert(ClusterIp("n1", "a", "10.96.1.1", Http));
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("a.n1.svc.cluster.local.", RecordType.A)).Rcode);
        fixture.Upsert(new NamespaceObject { Name = "n1", Labels = new Dictionary<string, string> { ["team"] = "dns" } });
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("a.n1.svc.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Labels_option_selects_services()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local { labels expose=yes }");
        var labelled = ClusterIp("a", "in", "10.96.1.1", Http);
        fixture.Upsert(new ServiceObject { Namespace = labelled.Namespace, Name = labelled.Name, Type = labelled.Type, ClusterIPs = labelled.ClusterIPs, Labels = new Dictionary<string, string> { ["expose"] = "yes" } });
        fixture.Upsert(ClusterIp("a", "out", "10.96.1.2", Http));
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("in.a.svc.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("out.a.svc.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Fallthrough_passes_misses_in_its_zones_to_the_next_handler()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local in-addr.arpa { fallthrough in-addr.arpa }");
        // The next handler is the end of the chain: SERVFAIL is what the server writes then.
        Assert.Equal(ResponseCode.ServFail, (await fixture.AskAsync("4.3.2.1.in-addr.arpa.", RecordType.PTR)).Rcode);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("nothing.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Pods_disabled_has_no_pod_names()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local");
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("10-244-1-10.default.pod.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Pods_verified_answers_only_for_existing_pods()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local { pods verified }");
        fixture.Upsert(new PodObject { Namespace = "default", Name = "p", PodIPs = [System.Net.IPAddress.Parse("10.244.7.7")] });
        fixture.Builder.Publish();
        Assert.Equal(["10-244-7-7.default.pod.cluster.local. 5 in a 10.244.7.7"], InProcessQuery.Lines((await fixture.AskAsync("10-244-7-7.default.pod.cluster.local.", RecordType.A)).Answers));
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("10-244-7-8.default.pod.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task Pods_verified_names_follow_the_pods_namespace_phase_and_deletion()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local { pods verified }");
        var hostIp = System.Net.IPAddress.Parse("192.168.0.5");
        // Two host-network pods of two namespaces on one node: each namespace's name answers (autopath cannot tell them apart).
        fixture.Upsert(new PodObject { Namespace = "monitoring", Name = "exporter", PodIPs = [hostIp], Phase = "Running" });
        fixture.Upsert(new PodObject { Namespace = "kube-system", Name = "proxy", PodIPs = [hostIp], Phase = "Running" });
        // A pending pod with an address answers too, as its name entry did; a pod of another namespace does not lend its address.
        fixture.Upsert(new PodObject { Namespace = "jobs", Name = "starting", PodIPs = [System.Net.IPAddress.Parse("10.244.3.3")], Phase = "Pending" });
        fixture.Upsert(new PodObject { Namespace = "jobs", Name = "v6", PodIPs = [System.Net.IPAddress.Parse("fd00::3")], Phase = "Running" });
        fixture.Builder.Publish();

        Assert.Equal(["192-168-0-5.monitoring.pod.cluster.local. 5 in a 192.168.0.5"], InProcessQuery.Lines((await fixture.AskAsync("192-168-0-5.monitoring.pod.cluster.local.", RecordType.A)).Answers));
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("192-168-0-5.kube-system.pod.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("10-244-3-3.jobs.pod.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("10-244-3-3.monitoring.pod.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(["fd00--3.jobs.pod.cluster.local. 5 in aaaa fd00::3"], InProcessQuery.Lines((await fixture.AskAsync("fd00--3.jobs.pod.cluster.local.", RecordType.AAAA)).Answers));
        // The name exists; it has no AAAA: NODATA, not NXDOMAIN.
        var noData = await fixture.AskAsync("10-244-3-3.jobs.pod.cluster.local.", RecordType.AAAA);
        Assert.Equal(ResponseCode.NoError, noData.Rcode);
        Assert.Empty(noData.Answers);
        // A namespace that only pods inhabit exists (no Namespace object, no Service here).
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("jobs.pod.cluster.local.", RecordType.A)).Rcode);

        fixture.Delete(ResourceKind.Pod, "monitoring/exporter");
        fixture.Delete(ResourceKind.Pod, "jobs/starting");
        fixture.Delete(ResourceKind.Pod, "jobs/v6");
        fixture.Builder.Publish();
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("192-168-0-5.monitoring.pod.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NoError, (await fixture.AskAsync("192-168-0-5.kube-system.pod.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("10-244-3-3.jobs.pod.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("jobs.pod.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task An_external_name_inside_the_cluster_zone_is_followed()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(ClusterIp("a", "real", "10.96.3.3", Http));
        fixture.Upsert(new ServiceObject { Namespace = "a", Name = "alias", Type = "ExternalName", ExternalName = "real.a.svc.cluster.local" });
        fixture.Builder.Publish();
        Assert.Equal(
            ["alias.a.svc.cluster.local. 30 in cname real.a.svc.cluster.local.", "real.a.svc.cluster.local. 30 in a 10.96.3.3"],
            InProcessQuery.Lines((await fixture.AskAsync("alias.a.svc.cluster.local.", RecordType.A)).Answers));
    }

    [Fact]
    public async Task Non_in_class_queries_go_to_the_next_handler()
    {
        var fixture = new ClusterZoneFixture();
        var context = InProcessQuery.Prepare("dns-version.cluster.local.", RecordType.TXT, recordClass: RecordClass.CH);
        var result = await fixture.Handler.ServeAsync(context);
        Assert.False(result.IsWritten);
    }

    [Fact]
    public void Answering_from_the_index_allocates_nothing()
    {
        var fixture = new ClusterZoneFixture().LoadDemoCluster();
        string[] names = ["web-service.default.svc.cluster.local.", "headless-service.default.svc.cluster.local.", "missing.default.svc.cluster.local.", "_postgres._tcp.headless-service.default.svc.cluster.local.", "10-244-1-10.default.pod.cluster.local."];
        RecordType[] types = [RecordType.A, RecordType.A, RecordType.A, RecordType.SRV, RecordType.A];
        var contexts = names.Select((n, i) => InProcessQuery.Prepare(n, types[i])).ToArray();
        var lengths = contexts.Select(c => c.RequestLength).ToArray();
        var requests = contexts.Select(c => c.Request.ToArray()).ToArray();

        void RunAll()
        {
            for (int i = 0; i < contexts.Length; i++)
            {
                requests[i].CopyTo(contexts[i].Buffer, 0);
                contexts[i].Reset(lengths[i], TransportKind.Udp);
                var pending = fixture.Handler.ServeAsync(contexts[i]);
                Assert.True(pending.IsCompletedSuccessfully);
            }
        }

        RunAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 100; round++)
        {
            RunAll();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
