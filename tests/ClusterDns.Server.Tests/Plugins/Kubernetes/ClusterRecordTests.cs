using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// Every record form of the Kubernetes DNS specification (and CoreDNS's extras), asked of the demo cluster
/// in zones/demo-cluster. Expected answers are presentation lines; authority is the SOA owner for negatives.
/// </summary>
public sealed class ClusterRecordTests
{
    private static readonly Lazy<ClusterZoneFixture> Demo = new(() => new ClusterZoneFixture().LoadDemoCluster());

    public static TheoryData<string, string, string, string[], string?> Cases => new()
    {
        // ClusterIP Services (ClusterIP, NodePort, LoadBalancer) answer their cluster IP.
        { "web-service.default.svc.cluster.local.", "A", "NOERROR", ["web-service.default.svc.cluster.local. 30 in a 10.96.100.10"], null },
        { "WEB-Service.Default.SVC.cluster.LOCAL.", "A", "NOERROR", ["web-service.default.svc.cluster.local. 30 in a 10.96.100.10"], null },
        { "nodeport-service.default.svc.cluster.local.", "A", "NOERROR", ["nodeport-service.default.svc.cluster.local. 30 in a 10.96.100.30"], null },
        { "loadbalancer-service.default.svc.cluster.local.", "A", "NOERROR", ["loadbalancer-service.default.svc.cluster.local. 30 in a 10.96.100.40"], null },
        { "kubernetes.default.svc.cluster.local.", "A", "NOERROR", ["kubernetes.default.svc.cluster.local. 30 in a 10.96.0.1"], null },
        { "backend-api.production.svc.cluster.local.", "A", "NOERROR", ["backend-api.production.svc.cluster.local. 30 in a 10.96.200.10"], null },
        // A selector-less Service with a hand-written EndpointSlice is a ClusterIP Service like any other.
        { "external-service.default.svc.cluster.local.", "A", "NOERROR", ["external-service.default.svc.cluster.local. 30 in a 10.96.100.50"], null },
        // IPv4-only: AAAA is NODATA (never NXDOMAIN or SERVFAIL), dual-stack answers both.
        { "web-service.default.svc.cluster.local.", "AAAA", "NOERROR", [], "cluster.local." },
        { "dual-stack-service.default.svc.cluster.local.", "AAAA", "NOERROR", ["dual-stack-service.default.svc.cluster.local. 30 in aaaa fd00:10:96::100"], null },
        { "dual-stack-service.default.svc.cluster.local.", "A", "NOERROR", ["dual-stack-service.default.svc.cluster.local. 30 in a 10.96.100.60"], null },
        // Named ports: SRV at _port._proto.svc and at the service name.
        { "_http._tcp.web-service.default.svc.cluster.local.", "SRV", "NOERROR", ["_http._tcp.web-service.default.svc.cluster.local. 30 in srv 0 100 80 web-service.default.svc.cluster.local."], null },
        { "web-service.default.svc.cluster.local.", "SRV", "NOERROR", ["web-service.default.svc.cluster.local. 30 in srv 0 100 80 web-service.default.svc.cluster.local."], null },
        { "_https._tcp.multi-port-service.default.svc.cluster.local.", "SRV", "NOERROR", ["_https._tcp.multi-port-service.default.svc.cluster.local. 30 in srv 0 100 443 multi-port-service.default.svc.cluster.local."], null },
        { "multi-port-service.default.svc.cluster.local.", "SRV", "NOERROR", [
            "multi-port-service.default.svc.cluster.local. 30 in srv 0 33 443 multi-port-service.default.svc.cluster.local.",
            "multi-port-service.default.svc.cluster.local. 30 in srv 0 33 80 multi-port-service.default.svc.cluster.local.",
            "multi-port-service.default.svc.cluster.local. 30 in srv 0 33 9090 multi-port-service.default.svc.cluster.local."], null },
        { "_grpc._tcp.backend-api.production.svc.cluster.local.", "SRV", "NOERROR", ["_grpc._tcp.backend-api.production.svc.cluster.local. 30 in srv 0 100 9000 backend-api.production.svc.cluster.local."], null },
        // Unknown port or protocol: the name does not exist; the _tcp level is an empty non-terminal.
        { "_nope._tcp.web-service.default.svc.cluster.local.", "SRV", "NXDOMAIN", [], "cluster.local." },
        { "_http._udp.web-service.default.svc.cluster.local.", "SRV", "NXDOMAIN", [], "cluster.local." },
        { "_tcp.web-service.default.svc.cluster.local.", "SRV", "NOERROR", [], "cluster.local." },
        // Headless: every ready endpoint, per-endpoint names from hostnames, SRV per endpoint and port.
        { "headless-service.default.svc.cluster.local.", "A", "NOERROR", [
            "headless-service.default.svc.cluster.local. 30 in a 10.244.1.20",
            "headless-service.default.svc.cluster.local. 30 in a 10.244.2.21",
            "headless-service.default.svc.cluster.local. 30 in a 10.244.3.22"], null },
        { "database-1.headless-service.default.svc.cluster.local.", "A", "NOERROR", ["database-1.headless-service.default.svc.cluster.local. 30 in a 10.244.2.21"], null },
        { "_postgres._tcp.headless-service.default.svc.cluster.local.", "SRV", "NOERROR", [
            "_postgres._tcp.headless-service.default.svc.cluster.local. 30 in srv 0 33 5432 database-0.headless-service.default.svc.cluster.local.",
            "_postgres._tcp.headless-service.default.svc.cluster.local. 30 in srv 0 33 5432 database-1.headless-service.default.svc.cluster.local.",
            "_postgres._tcp.headless-service.default.svc.cluster.local. 30 in srv 0 33 5432 database-2.headless-service.default.svc.cluster.local."], null },
        { "database-9.headless-service.default.svc.cluster.local.", "A", "NXDOMAIN", [], "cluster.local." },
        // ExternalName: the CNAME answers every type.
        { "external-database.default.svc.cluster.local.", "A", "NOERROR", ["external-database.default.svc.cluster.local. 30 in cname database.example.org."], null },
        { "external-database.default.svc.cluster.local.", "MX", "NOERROR", ["external-database.default.svc.cluster.local. 30 in cname database.example.org."], null },
        { "external-database.default.svc.cluster.local.", "CNAME", "NOERROR", ["external-database.default.svc.cluster.local. 30 in cname database.example.org."], null },
        // Negative answers.
        { "missing.default.svc.cluster.local.", "A", "NXDOMAIN", [], "cluster.local." },
        { "web-service.missing.svc.cluster.local.", "A", "NXDOMAIN", [], "cluster.local." },
        { "missing.svc.cluster.local.", "A", "NXDOMAIN", [], "cluster.local." },
        { "default.svc.cluster.local.", "A", "NOERROR", [], "cluster.local." },
        { "production.svc.cluster.local.", "A", "NOERROR", [], "cluster.local." },
        { "svc.cluster.local.", "A", "NOERROR", [], "cluster.local." },
        { "something.cluster.local.", "A", "NXDOMAIN", [], "cluster.local." },
        { "web-service.default.svc.cluster.local.", "TXT", "NOERROR", [], "cluster.local." },
        // The apex and the specification's version record.
        { "dns-version.cluster.local.", "TXT", "NOERROR", ["dns-version.cluster.local. 28800 in txt \"1.1.0\""], null },
        { "cluster.local.", "NS", "NOERROR", ["cluster.local. 30 in ns ns.dns.cluster.local."], null },
        { "ns.dns.cluster.local.", "A", "NOERROR", ["ns.dns.cluster.local. 30 in a 10.96.0.10"], null },
        { "cluster.local.", "A", "NOERROR", [], "cluster.local." },
        // Reverse: cluster IPs point at the Service, headless endpoints at their own names.
        { "10.100.96.10.in-addr.arpa.", "PTR", "NOERROR", ["10.100.96.10.in-addr.arpa. 30 in ptr web-service.default.svc.cluster.local."], null },
        { "20.1.244.10.in-addr.arpa.", "PTR", "NOERROR", ["20.1.244.10.in-addr.arpa. 30 in ptr database-0.headless-service.default.svc.cluster.local."], null },
        { "10.0.96.10.in-addr.arpa.", "PTR", "NOERROR", ["10.0.96.10.in-addr.arpa. 30 in ptr kube-dns.kube-system.svc.cluster.local."], null },
        { "0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa.", "PTR", "NOERROR", ["0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa. 30 in ptr dual-stack-service.default.svc.cluster.local."], null },
        { "96.10.in-addr.arpa.", "PTR", "NOERROR", [], "in-addr.arpa." },
        { "4.3.2.1.in-addr.arpa.", "PTR", "NXDOMAIN", [], "in-addr.arpa." },
        // pods insecure: the name is the address.
        { "10-244-1-10.default.pod.cluster.local.", "A", "NOERROR", ["10-244-1-10.default.pod.cluster.local. 30 in a 10.244.1.10"], null },
        { "10-244-1-10.default.pod.cluster.local.", "AAAA", "NOERROR", [], "cluster.local." },
        { "fd00--1.default.pod.cluster.local.", "AAAA", "NOERROR", ["fd00--1.default.pod.cluster.local. 30 in aaaa fd00::1"], null },
        { "not-an-ip.default.pod.cluster.local.", "A", "NXDOMAIN", [], "cluster.local." },
        { "default.pod.cluster.local.", "A", "NOERROR", [], "cluster.local." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Answers_as_the_specification_says(string name, string type, string rcode, string[] answer, string? soaOwner)
    {
        Assert.True(RecordTypeNames.TryParse(type, out RecordType qtype));
        var response = await Demo.Value.AskAsync(name, qtype);

        Assert.Equal(rcode, RecordTypeNames.ToText(response.Rcode));
        Assert.True(response.Header.AuthoritativeAnswer, "cluster answers are authoritative");
        Assert.False(response.Header.Truncated);
        Assert.Equal(answer.Order(StringComparer.Ordinal).ToArray(), InProcessQuery.Lines(response.Answers));
        if (soaOwner is null)
        {
            Assert.Empty(response.Authority);
        }
        else
        {
            var soa = Assert.Single(response.Authority);
            Assert.Equal(RecordType.SOA, soa.Type);
            Assert.Equal(DnsName.Parse(soaOwner), soa.Name);
            Assert.Equal(30u, soa.Ttl);
        }
    }

    [Fact]
    public async Task Srv_answers_carry_the_targets_addresses_in_additional()
    {
        var response = await Demo.Value.AskAsync("_postgres._tcp.headless-service.default.svc.cluster.local.", RecordType.SRV);

        Assert.Equal(
            [
                "database-0.headless-service.default.svc.cluster.local. 30 in a 10.244.1.20",
                "database-1.headless-service.default.svc.cluster.local. 30 in a 10.244.2.21",
                "database-2.headless-service.default.svc.cluster.local. 30 in a 10.244.3.22",
            ],
            InProcessQuery.Lines(response.Additional));
    }

    [Fact]
    public async Task Apex_soa_has_the_coredns_shape_and_a_serial_that_follows_changes()
    {
        var fixture = new ClusterZoneFixture().LoadDemoCluster();
        var before = Assert.Single((await fixture.AskAsync("cluster.local.", RecordType.SOA)).Answers);
        var soa = Assert.IsType<SoaData>(before.Data);
        Assert.Equal(DnsName.Parse("ns.dns.cluster.local."), soa.PrimaryNameServer);
        Assert.Equal(DnsName.Parse("hostmaster.cluster.local."), soa.ResponsibleMailbox);
        Assert.Equal((7200u, 1800u, 86400u, 30u), (soa.Refresh, soa.Retry, soa.Expire, soa.Minimum));

        fixture.Delete(ClusterDns.Kubernetes.ResourceKind.Service, "default/web-service");
        fixture.Builder.Publish();
        var after = Assert.IsType<SoaData>(Assert.Single((await fixture.AskAsync("cluster.local.", RecordType.SOA)).Answers).Data);
        Assert.NotEqual(soa.Serial, after.Serial);
    }
}
