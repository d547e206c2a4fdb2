using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.K8sExternal;

/// <summary>
/// CoreDNS's plugin/k8s_external/apex_test.go restated: the zone's SOA and NS, and <c>ns1.dns.zone</c> with the
/// name servers' addresses (here the external IP of kube-system/kube-dns, 127.0.0.1 like CoreDNS's stub).
/// </summary>
public sealed class K8sExternalApexTests
{
    private static readonly Lazy<K8sExternalFixture> Cluster = new(() => new K8sExternalFixture("k8s_external example.com {\nheadless\n}").LoadTestCluster());

    public static TheoryData<string, string, string, string[], string[]> Cases => new()
    {
        { "example.com.", "NS", "NOERROR", ["example.com. 5 in ns ns1.dns.example.com."], ["ns1.dns.example.com. 5 in a 127.0.0.1"] },
        { "example.com.", "SRV", "NOERROR", [], [] },
        { "dns.example.com.", "SRV", "NOERROR", [], [] },
        { "dns.example.com.", "NS", "NOERROR", [], [] },
        { "ns1.dns.example.com.", "SRV", "NOERROR", [], [] },
        { "ns1.dns.example.com.", "NS", "NOERROR", [], [] },
        { "ns1.dns.example.com.", "AAAA", "NOERROR", [], [] },
        { "ns1.dns.example.com.", "A", "NOERROR", ["ns1.dns.example.com. 5 in a 127.0.0.1"], [] },
        // Ours: other names under the apex label do not exist (CoreDNS's serveSubApex).
        { "ns2.dns.example.com.", "A", "NXDOMAIN", [], [] },
        { "x.ns1.dns.example.com.", "A", "NXDOMAIN", [], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Apex_answers_as_coredns_apex_test_says(string name, string type, string rcode, string[] answer, string[] additional)
    {
        await K8sExternalRecordTests.AssertAnswer(Cluster.Value, name, type, rcode, answer, additional);
    }

    [Fact]
    public async Task Soa_has_the_coredns_shape_and_the_cluster_zones_serial()
    {
        var fixture = new K8sExternalFixture().LoadTestCluster();
        var response = await fixture.AskAsync("example.com.", RecordType.SOA);

        Assert.True(response.Header.AuthoritativeAnswer);
        Assert.Equal(
            [$"example.com. 5 in soa ns1.dns.example.com. hostmaster.dns.example.com. {fixture.Serial} 7200 1800 86400 5"],
            InProcessQuery.Lines(response.Answers));
        var cluster = await InProcessQuery.AskAsync(fixture.Cluster, fixture.Zones, "cluster.local.", RecordType.SOA);
        Assert.Equal(fixture.Serial, Assert.IsType<SoaData>(Assert.Single(cluster.Answers).Data).Serial);

        fixture.Upsert(K8sExternalFixture.Service("testns", "new", "ClusterIP", ["10.0.9.9"], ["4.4.4.4"], []));
        fixture.Builder.Publish();
        var after = await fixture.AskAsync("example.com.", RecordType.SOA);
        Assert.NotEqual(((SoaData)response.Answers[0].Data).Serial, ((SoaData)after.Answers[0].Data).Serial);
    }

    [Fact]
    public async Task Apex_label_and_ttl_options_rename_and_retime_the_apex_records()
    {
        var fixture = new K8sExternalFixture("k8s_external example.com {\napex testdns\nttl 60\n}").LoadTestCluster();

        var ns = await fixture.AskAsync("example.com.", RecordType.NS);
        Assert.Equal(["example.com. 60 in ns ns1.testdns.example.com."], InProcessQuery.Lines(ns.Answers));
        Assert.Equal(["ns1.testdns.example.com. 60 in a 127.0.0.1"], InProcessQuery.Lines(ns.Additional.Where(r => r.Type != RecordType.OPT)));
        var a = await fixture.AskAsync("svc1.testns.example.com.", RecordType.A);
        Assert.Equal(["svc1.testns.example.com. 60 in a 1.2.3.4"], InProcessQuery.Lines(a.Answers));
        var soa = Assert.IsType<SoaData>(Assert.Single((await fixture.AskAsync("missing.testns.example.com.", RecordType.A)).Authority).Data);
        Assert.Equal((DnsName.Parse("ns1.testdns.example.com."), DnsName.Parse("hostmaster.testdns.example.com."), 60u),
            (soa.PrimaryNameServer, soa.ResponsibleMailbox, soa.Minimum));
        // The default label is an ordinary namespace name now.
        var dns = await fixture.AskAsync("ns1.dns.example.com.", RecordType.A);
        Assert.Equal(ResponseCode.NXDomain, dns.Rcode);
    }

    [Fact]
    public async Task Without_a_name_server_service_ns1_has_this_hosts_addresses()
    {
        var fixture = new K8sExternalFixture();
        fixture.Upsert(new ClusterDns.Kubernetes.NamespaceObject { Name = "testns" });
        fixture.Builder.Publish();

        var response = await fixture.AskAsync("ns1.dns.example.com.", RecordType.A);

        Assert.Equal(ResponseCode.NoError, response.Rcode);
        var expected = ClusterDns.Server.Plugins.Kubernetes.Building.ClusterRecordGenerator.LocalAddresses()
            .Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Select(a => a.ToString()).Order().ToArray();
        Assert.Equal(expected, response.Answers.Select(r => ((AData)r.Data).Address.ToString()).Order().ToArray());
    }
}
