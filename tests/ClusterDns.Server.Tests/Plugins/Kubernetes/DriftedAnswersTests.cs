using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Tests.Support;
using static ClusterDns.Server.Tests.Plugins.Kubernetes.ClusterObjects;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// Three answers that once came out wrong (issue 15): a Service record that lost a 63-character port name,
/// pod names answered in namespaces the zone hides or that do not exist, and a CNAME chase that answered
/// differently from the question's own path.
/// </summary>
public sealed class DriftedAnswersTests
{
    private static readonly string LongPortName = new('p', 63);

    [Fact]
    public async Task A_port_name_of_63_characters_keeps_its_srv_record_after_a_slice_change()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(ClusterIp("t", "s", "10.96.0.5", new ServicePort(LongPortName, "TCP", 80), new ServicePort("short", "TCP", 81)));
        fixture.Builder.Publish();
        string[] expected =
        [
            "s.t.svc.cluster.local. 30 in srv 0 50 80 s.t.svc.cluster.local.",
            "s.t.svc.cluster.local. 30 in srv 0 50 81 s.t.svc.cluster.local.",
        ];
        Assert.Equal(expected, InProcessQuery.Lines((await fixture.AskAsync("s.t.svc.cluster.local.", RecordType.SRV)).Answers));

        // The record is the builder's only copy of the Service: composing it again must not lose the port.
        fixture.Upsert(Slice("t", "s", "s-1", [Endpoint("10.244.0.9")], new ServicePort(LongPortName, "TCP", 80)));
        fixture.Builder.Publish();
        Assert.Equal(expected, InProcessQuery.Lines((await fixture.AskAsync("s.t.svc.cluster.local.", RecordType.SRV)).Answers));
        // "_" and 63 characters is no label: the port has no SRV name of its own, the short one does.
        Assert.Single((await fixture.AskAsync("_short._tcp.s.t.svc.cluster.local.", RecordType.SRV)).Answers);
    }

    [Fact]
    public async Task Pod_names_answer_only_in_namespaces_that_exist()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(new NamespaceObject { Name = "team" });
        fixture.Builder.Publish();

        Assert.Equal(["10-244-1-10.team.pod.cluster.local. 30 in a 10.244.1.10"],
            InProcessQuery.Lines((await fixture.AskAsync("10-244-1-10.team.pod.cluster.local.", RecordType.A)).Answers));
        // CoreDNS checks that the namespace exists for pod names too.
        await AssertNxDomainAsync(fixture, "10-244-1-10.no-such-ns.pod.cluster.local.");
        await AssertNxDomainAsync(fixture, "no-such-ns.pod.cluster.local.");

        fixture.Delete(ResourceKind.Namespace, "team");
        fixture.Builder.Publish();
        await AssertNxDomainAsync(fixture, "10-244-1-10.team.pod.cluster.local.");
    }

    [Fact]
    public async Task Pod_names_follow_namespace_labels()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local in-addr.arpa ip6.arpa {\n pods insecure\n namespace_labels dns=on\n ttl 30\n}");
        fixture.Upsert(new NamespaceObject { Name = "shown", Labels = new Dictionary<string, string> { ["dns"] = "on" } });
        fixture.Upsert(new NamespaceObject { Name = "hidden", Labels = new Dictionary<string, string> { ["dns"] = "off" } });
        fixture.Builder.Publish();

        Assert.Single((await fixture.AskAsync("10-244-1-10.shown.pod.cluster.local.", RecordType.A)).Answers);
        await AssertNxDomainAsync(fixture, "10-244-1-10.hidden.pod.cluster.local.");
        await AssertNxDomainAsync(fixture, "hidden.pod.cluster.local.");

        // Relabelled: the namespace's pod names appear without any pod changing.
        fixture.Upsert(new NamespaceObject { Name = "hidden", Labels = new Dictionary<string, string> { ["dns"] = "on" } });
        fixture.Builder.Publish();
        Assert.Single((await fixture.AskAsync("10-244-1-10.hidden.pod.cluster.local.", RecordType.A)).Answers);
    }

    [Fact]
    public async Task Pod_names_follow_the_namespaces_list()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local in-addr.arpa ip6.arpa {\n pods insecure\n namespaces shown\n ttl 30\n}");
        fixture.Upsert(new NamespaceObject { Name = "shown" });
        fixture.Upsert(new NamespaceObject { Name = "other" });
        fixture.Builder.Publish();

        Assert.Single((await fixture.AskAsync("10-244-1-10.shown.pod.cluster.local.", RecordType.A)).Answers);
        await AssertNxDomainAsync(fixture, "10-244-1-10.other.pod.cluster.local.");
    }

    [Fact]
    public async Task Before_the_first_sync_a_cname_into_the_cluster_zone_is_servfail_as_the_name_itself_is()
    {
        var fixture = new ClusterZoneFixture(synced: false);
        fixture.Upsert(ExternalName("default", "alias", "target.default.svc.cluster.local"));
        fixture.Builder.Publish();

        // Not knowing yet is not knowing it is absent, whether asked directly or reached through a CNAME.
        Assert.Equal(ResponseCode.ServFail, (await fixture.AskAsync("target.default.svc.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.ServFail, (await fixture.AskAsync("alias.default.svc.cluster.local.", RecordType.A)).Rcode);

        fixture.MarkSynced();
        var synced = await fixture.AskAsync("alias.default.svc.cluster.local.", RecordType.A);
        Assert.Equal(ResponseCode.NXDomain, synced.Rcode);
        Assert.Equal(["alias.default.svc.cluster.local. 30 in cname target.default.svc.cluster.local."], InProcessQuery.Lines(synced.Answers));
    }

    [Fact]
    public async Task A_truncated_cname_chase_keeps_the_records_that_fit_as_the_direct_answer_does()
    {
        var fixture = new ClusterZoneFixture();
        // One endpoint address behind 40 headless Services: its reverse name holds 40 PTR records.
        for (int i = 0; i < 40; i++)
        {
            fixture.Upsert(Headless("db", $"replica-set-{i:D2}"));
            fixture.Upsert(Slice("db", $"replica-set-{i:D2}", $"replica-set-{i:D2}-a", [Endpoint("10.1.0.9", hostname: "member")]));
        }
        fixture.Upsert(ExternalName("db", "alias", "9.0.1.10.in-addr.arpa"));
        fixture.Builder.Publish();

        var direct = await fixture.AskAsync("9.0.1.10.in-addr.arpa.", RecordType.PTR, ednsSize: 512);
        Assert.True(direct.Header.Truncated);
        Assert.NotEmpty(direct.Answers);

        var chased = await fixture.AskAsync("alias.db.svc.cluster.local.", RecordType.PTR, ednsSize: 512);
        Assert.True(chased.Header.Truncated);
        Assert.Equal(RecordType.CNAME, chased.Answers[0].Type);
        Assert.Contains(chased.Answers, r => r.Type == RecordType.PTR);

        // Over TCP the whole chain fits.
        var whole = await fixture.AskAsync("alias.db.svc.cluster.local.", RecordType.PTR, TransportKind.Tcp, ednsSize: null);
        Assert.False(whole.Header.Truncated);
        Assert.Equal(40, whole.Answers.Count(r => r.Type == RecordType.PTR));
    }

    private static async Task AssertNxDomainAsync(ClusterZoneFixture fixture, string name)
    {
        var response = await fixture.AskAsync(name, RecordType.A);
        Assert.Equal(ResponseCode.NXDomain, response.Rcode);
        Assert.Empty(response.Answers);
    }

    private static ServiceObject ExternalName(string ns, string name, string target) => new()
    {
        Namespace = ns,
        Name = name,
        Type = "ExternalName",
        ExternalName = target,
        ClusterIPs = Array.Empty<IPAddress>(),
    };
}
