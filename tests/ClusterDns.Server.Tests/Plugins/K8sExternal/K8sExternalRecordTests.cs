using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.K8sExternal;

/// <summary>
/// CoreDNS's plugin/k8s_external/external_test.go restated (same objects, same questions), then our own cases.
/// Answers and additional records are presentation lines; <c>negative</c> means an SOA of example.com in authority.
/// Where we answer otherwise than CoreDNS the case says why (docs/configuration.md, k8s_external).
/// </summary>
public sealed class K8sExternalRecordTests
{
    private static readonly Lazy<K8sExternalFixture> Cluster = new(() => new K8sExternalFixture().LoadTestCluster());

    public static TheoryData<string, string, string, string[], string[]> Cases => new()
    {
        // --- external_test.go ---
        // A Service: its external IP, never its cluster IP.
        { "svc1.testns.example.com.", "A", "NOERROR", ["svc1.testns.example.com. 5 in a 1.2.3.4"], [] },
        { "svc1.testns.example.com.", "SRV", "NOERROR", ["svc1.testns.example.com. 5 in srv 0 100 80 svc1.testns.example.com."], ["svc1.testns.example.com. 5 in a 1.2.3.4"] },
        // SRV with a protocol that is neither udp nor tcp: no such name.
        { "*._not-udp-or-tcp.svc1.testns.example.com.", "SRV", "NXDOMAIN", [], [] },
        { "_http._tcp.svc1.testns.example.com.", "SRV", "NOERROR", ["_http._tcp.svc1.testns.example.com. 5 in srv 0 100 80 svc1.testns.example.com."], ["svc1.testns.example.com. 5 in a 1.2.3.4"] },
        // AAAA of a Service that has only an IPv4 address: NODATA.
        { "svc1.testns.example.com.", "AAAA", "NOERROR", [], [] },
        { "svc0.testns.example.com.", "AAAA", "NXDOMAIN", [], [] },
        { "svc0.testns.example.com.", "A", "NXDOMAIN", [], [] },
        { "svc0.svc-nons.example.com.", "A", "NXDOMAIN", [], [] },
        { "svc6.testns.example.com.", "AAAA", "NOERROR", ["svc6.testns.example.com. 5 in aaaa 1:2::5"], [] },
        { "_http._tcp.svc6.testns.example.com.", "SRV", "NOERROR", ["_http._tcp.svc6.testns.example.com. 5 in srv 0 100 80 svc6.testns.example.com."], ["svc6.testns.example.com. 5 in aaaa 1:2::5"] },
        { "svc6.testns.example.com.", "SRV", "NOERROR", ["svc6.testns.example.com. 5 in srv 0 100 80 svc6.testns.example.com."], ["svc6.testns.example.com. 5 in aaaa 1:2::5"] },
        // The namespace name exists, with no records of its own.
        { "testns.example.com.", "A", "NOERROR", [], [] },
        { "testns.example.com.", "SOA", "NOERROR", [], [] },
        // A LoadBalancer Service's ingress IP.
        { "svc11.testns.example.com.", "A", "NOERROR", ["svc11.testns.example.com. 5 in a 1.2.3.4"], [] },
        // Ingress by hostname: CoreDNS's SRV targets the Service name, which is a CNAME; RFC 2782 wants the target
        // to have addresses, so ours targets the load balancer's name.
        { "_http._tcp.svc12.testns.example.com.", "SRV", "NOERROR", ["_http._tcp.svc12.testns.example.com. 5 in srv 0 100 80 dummy.hostname."], [] },
        { "svc12.testns.example.com.", "A", "NOERROR", ["svc12.testns.example.com. 5 in cname dummy.hostname."], [] },

        // --- ours ---
        // An alias answers every type with its CNAME (RFC 1034 3.6.2); CoreDNS answers NODATA for other types.
        { "svc12.testns.example.com.", "TXT", "NOERROR", ["svc12.testns.example.com. 5 in cname dummy.hostname."], [] },
        // Only a cluster IP: nothing outside.
        { "plain.testns.example.com.", "A", "NXDOMAIN", [], [] },
        { "_http._tcp.plain.testns.example.com.", "SRV", "NXDOMAIN", [], [] },
        // A namespace the kubernetes plugin does not serve (namespaces testns): nothing of it, external IPs or not.
        { "svc1.other.example.com.", "A", "NXDOMAIN", [], [] },
        { "other.example.com.", "A", "NXDOMAIN", [], [] },
        // Two addresses and two named ports (the unnamed port has no SRV, as in the cluster zone).
        { "dual.testns.example.com.", "A", "NOERROR", ["dual.testns.example.com. 5 in a 5.6.7.8", "dual.testns.example.com. 5 in a 5.6.7.9"], [] },
        { "dual.testns.example.com.", "SRV", "NOERROR",
            ["dual.testns.example.com. 5 in srv 0 50 443 dual.testns.example.com.", "dual.testns.example.com. 5 in srv 0 50 80 dual.testns.example.com."],
            ["dual.testns.example.com. 5 in a 5.6.7.8", "dual.testns.example.com. 5 in a 5.6.7.9"] },
        { "_https._tcp.dual.testns.example.com.", "SRV", "NOERROR", ["_https._tcp.dual.testns.example.com. 5 in srv 0 100 443 dual.testns.example.com."],
            ["dual.testns.example.com. 5 in a 5.6.7.8", "dual.testns.example.com. 5 in a 5.6.7.9"] },
        { "_https._udp.dual.testns.example.com.", "SRV", "NXDOMAIN", [], [] },
        // An SRV name holds only SRV records.
        { "_https._tcp.dual.testns.example.com.", "A", "NOERROR", [], [] },
        { "dual.testns.example.com.", "TXT", "NOERROR", [], [] },
        { "DUAL.TestNS.Example.COM.", "A", "NOERROR", ["dual.testns.example.com. 5 in a 5.6.7.8", "dual.testns.example.com. 5 in a 5.6.7.9"], [] },
        // CoreDNS answers any name below a Service with external IPs as if it were the Service; such a name does not exist.
        { "anything.svc1.testns.example.com.", "A", "NXDOMAIN", [], [] },
        { "a.b.c.svc1.testns.example.com.", "A", "NXDOMAIN", [], [] },
        // Headless Services need the headless option.
        { "db.testns.example.com.", "A", "NXDOMAIN", [], [] },
        { "db-0.db.testns.example.com.", "A", "NXDOMAIN", [], [] },
        { "hlext.testns.example.com.", "A", "NOERROR", ["hlext.testns.example.com. 5 in a 7.7.7.7"], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Answers_as_coredns_external_test_says(string name, string type, string rcode, string[] answer, string[] additional)
    {
        await AssertAnswer(Cluster.Value, name, type, rcode, answer, additional);
    }

    internal static async Task AssertAnswer(K8sExternalFixture fixture, string name, string type, string rcode, string[] answer, string[] additional)
    {
        Assert.True(RecordTypeNames.TryParse(type, out RecordType qtype));
        var response = await fixture.AskAsync(name, qtype);

        Assert.Equal(rcode, RecordTypeNames.ToText(response.Rcode));
        Assert.True(response.Header.AuthoritativeAnswer, "k8s_external answers are authoritative");
        Assert.False(response.Header.Truncated);
        Assert.Equal(answer.Order(StringComparer.Ordinal).ToArray(), InProcessQuery.Lines(response.Answers));
        Assert.Equal(additional.Order(StringComparer.Ordinal).ToArray(), InProcessQuery.Lines(response.Additional.Where(r => r.Type != RecordType.OPT)));
        if (answer.Length == 0)
        {
            var soa = Assert.Single(response.Authority);
            Assert.Equal(
                $"example.com. 5 in soa ns1.dns.example.com. hostmaster.dns.example.com. {fixture.Serial} 7200 1800 86400 5",
                InProcessQuery.Line(soa));
        }
        else
        {
            Assert.Empty(response.Authority);
        }
    }
}
