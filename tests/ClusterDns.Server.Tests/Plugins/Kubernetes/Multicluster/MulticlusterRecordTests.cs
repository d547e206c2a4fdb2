using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes.Multicluster;

/// <summary>
/// KEP-1645's DNS specification (Kubernetes DNS-Based Multicluster Service Discovery 1.0.0), its examples and
/// CoreDNS's <c>multicluster</c> behaviour restated as cases, asked of zones/demo-clusterset: ServiceImports in
/// clusterset.local, an ordinary Service of the same name in cluster.local. Answers are presentation lines;
/// authority is the SOA owner of a negative answer.
/// </summary>
public sealed class MulticlusterRecordTests
{
    private static readonly Lazy<Task<ClustersetFixture>> Demo = new(() => new ClustersetFixture().LoadAsync());

    public static TheoryData<string, string, string, string[], string?> Cases => new()
    {
        // §2.3.1 ClusterSetIP: A and AAAA of the clusterset IPs, never the local Service's cluster IP.
        { "web.shop.svc.clusterset.local.", "A", "NOERROR", ["web.shop.svc.clusterset.local. 30 in a 10.42.42.42"], null },
        { "web.shop.svc.clusterset.local.", "AAAA", "NOERROR", ["web.shop.svc.clusterset.local. 30 in aaaa fd00:42::42"], null },
        { "WEB.Shop.SVC.ClusterSet.Local.", "A", "NOERROR", ["web.shop.svc.clusterset.local. 30 in a 10.42.42.42"], null },
        { "web.shop.svc.cluster.local.", "A", "NOERROR", ["web.shop.svc.cluster.local. 30 in a 10.96.0.20"], null },
        // §2.3.2 SRV per named port to the Service name; unnamed ports have none.
        { "_http._tcp.web.shop.svc.clusterset.local.", "SRV", "NOERROR", ["_http._tcp.web.shop.svc.clusterset.local. 30 in srv 0 100 80 web.shop.svc.clusterset.local."], null },
        { "_dns._udp.web.shop.svc.clusterset.local.", "SRV", "NOERROR", ["_dns._udp.web.shop.svc.clusterset.local. 30 in srv 0 100 53 web.shop.svc.clusterset.local."], null },
        { "web.shop.svc.clusterset.local.", "SRV", "NOERROR", [
            "web.shop.svc.clusterset.local. 30 in srv 0 50 53 web.shop.svc.clusterset.local.",
            "web.shop.svc.clusterset.local. 30 in srv 0 50 80 web.shop.svc.clusterset.local."], null },
        { "_http._udp.web.shop.svc.clusterset.local.", "SRV", "NXDOMAIN", [], "clusterset.local." },
        { "_nope._tcp.web.shop.svc.clusterset.local.", "SRV", "NXDOMAIN", [], "clusterset.local." },
        { "_tcp.web.shop.svc.clusterset.local.", "SRV", "NOERROR", [], "clusterset.local." },
        { "_http._tcp.web.shop.svc.clusterset.local.", "A", "NOERROR", [], "clusterset.local." },
        // §2.3.4 No per-cluster names for a ClusterSetIP Service.
        { "cluster-a.web.shop.svc.clusterset.local.", "A", "NXDOMAIN", [], "clusterset.local." },
        { "pet-1.cluster-a.web.shop.svc.clusterset.local.", "A", "NXDOMAIN", [], "clusterset.local." },
        // §2.4.1 Headless: every ready endpoint of every cluster at the Service name, both families.
        { "pets.db.svc.clusterset.local.", "A", "NOERROR", [
            "pets.db.svc.clusterset.local. 30 in a 10.3.0.100",
            "pets.db.svc.clusterset.local. 30 in a 10.3.0.101"], null },
        { "pets.db.svc.clusterset.local.", "AAAA", "NOERROR", [
            "pets.db.svc.clusterset.local. 30 in aaaa fd00:b::1",
            "pets.db.svc.clusterset.local. 30 in aaaa fd00:b::2"], null },
        // hostname.clusterid names: the same hostname in two clusters is two names.
        { "pet-1.cluster-a.pets.db.svc.clusterset.local.", "A", "NOERROR", ["pet-1.cluster-a.pets.db.svc.clusterset.local. 30 in a 10.3.0.100"], null },
        { "pet-1.cluster-b.pets.db.svc.clusterset.local.", "AAAA", "NOERROR", ["pet-1.cluster-b.pets.db.svc.clusterset.local. 30 in aaaa fd00:b::1"], null },
        { "pet-1.cluster-b.pets.db.svc.clusterset.local.", "A", "NOERROR", [], "clusterset.local." },
        // No hostname: the dashed address names the endpoint, as in the cluster zone.
        { "fd00-b--2.cluster-b.pets.db.svc.clusterset.local.", "AAAA", "NOERROR", ["fd00-b--2.cluster-b.pets.db.svc.clusterset.local. 30 in aaaa fd00:b::2"], null },
        // Not ready (pet-3), or in no such cluster: no name.
        { "pet-3.cluster-a.pets.db.svc.clusterset.local.", "A", "NXDOMAIN", [], "clusterset.local." },
        { "pet-1.cluster-c.pets.db.svc.clusterset.local.", "A", "NXDOMAIN", [], "clusterset.local." },
        { "pet-1.pets.db.svc.clusterset.local.", "A", "NXDOMAIN", [], "clusterset.local." },
        // Above hostname.clusterid names the cluster label is an empty non-terminal: NODATA (RFC 8020; CoreDNS: NXDOMAIN).
        { "cluster-a.pets.db.svc.clusterset.local.", "A", "NOERROR", [], "clusterset.local." },
        // §2.4.2 SRV per ready named endpoint and port, the union of every cluster's.
        { "_https._tcp.pets.db.svc.clusterset.local.", "SRV", "NOERROR", [
            "_https._tcp.pets.db.svc.clusterset.local. 30 in srv 0 25 443 fd00-b--2.cluster-b.pets.db.svc.clusterset.local.",
            "_https._tcp.pets.db.svc.clusterset.local. 30 in srv 0 25 443 pet-1.cluster-a.pets.db.svc.clusterset.local.",
            "_https._tcp.pets.db.svc.clusterset.local. 30 in srv 0 25 443 pet-1.cluster-b.pets.db.svc.clusterset.local.",
            "_https._tcp.pets.db.svc.clusterset.local. 30 in srv 0 25 443 pet-2.cluster-a.pets.db.svc.clusterset.local."], null },
        // §2.4.1 A headless import without a ready endpoint does not exist; nor does a ClusterSetIP import without an IP.
        { "idle.db.svc.clusterset.local.", "A", "NXDOMAIN", [], "clusterset.local." },
        { "pending.shop.svc.clusterset.local.", "A", "NXDOMAIN", [], "clusterset.local." },
        // A Service that is not imported has no clusterset name, and an import has no cluster-local one.
        { "missing.shop.svc.clusterset.local.", "A", "NXDOMAIN", [], "clusterset.local." },
        { "pets.db.svc.cluster.local.", "A", "NXDOMAIN", [], "cluster.local." },
        // The zone's own names, as for the cluster zone: apex, svc, namespaces.
        { "clusterset.local.", "NS", "NOERROR", ["clusterset.local. 30 in ns ns.dns.cluster.local."], null },
        // §2.2 The multicluster schema's version in the clusterset zone; the cluster zone keeps its own.
        { "dns-version.clusterset.local.", "TXT", "NOERROR", ["dns-version.clusterset.local. 28800 in txt \"1.0.0\""], null },
        { "dns-version.cluster.local.", "TXT", "NOERROR", ["dns-version.cluster.local. 28800 in txt \"1.1.0\""], null },
        { "svc.clusterset.local.", "A", "NOERROR", [], "clusterset.local." },
        { "shop.svc.clusterset.local.", "A", "NOERROR", [], "clusterset.local." },
        { "nowhere.svc.clusterset.local.", "A", "NXDOMAIN", [], "clusterset.local." },
        // A clusterset IP is not given a PTR in the cluster's reverse zone (the spec's PTR is optional; CoreDNS has none).
        { "42.42.42.10.in-addr.arpa.", "PTR", "NXDOMAIN", [], "in-addr.arpa." },
        { "20.0.96.10.in-addr.arpa.", "PTR", "NOERROR", ["20.0.96.10.in-addr.arpa. 30 in ptr web.shop.svc.cluster.local."], null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Answers_as_the_multicluster_specification_says(string name, string type, string rcode, string[] answer, string? soaOwner)
    {
        Assert.True(RecordTypeNames.TryParse(type, out RecordType qtype));
        var response = await (await Demo.Value).AskAsync(name, qtype);

        Assert.Equal(rcode, RecordTypeNames.ToText(response.Rcode));
        Assert.True(response.Header.AuthoritativeAnswer);
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
        }
    }

    [Fact]
    public async Task Srv_answers_carry_the_targets_addresses_in_additional()
    {
        var fixture = await Demo.Value;
        var headless = await fixture.AskAsync("_https._tcp.pets.db.svc.clusterset.local.", RecordType.SRV);
        Assert.Equal(
            [
                "fd00-b--2.cluster-b.pets.db.svc.clusterset.local. 30 in aaaa fd00:b::2",
                "pet-1.cluster-a.pets.db.svc.clusterset.local. 30 in a 10.3.0.100",
                "pet-1.cluster-b.pets.db.svc.clusterset.local. 30 in aaaa fd00:b::1",
                "pet-2.cluster-a.pets.db.svc.clusterset.local. 30 in a 10.3.0.101",
            ],
            InProcessQuery.Lines(headless.Additional).Order(StringComparer.Ordinal).ToArray());

        var clusterSetIp = await fixture.AskAsync("_http._tcp.web.shop.svc.clusterset.local.", RecordType.SRV);
        Assert.Equal(
            ["web.shop.svc.clusterset.local. 30 in a 10.42.42.42", "web.shop.svc.clusterset.local. 30 in aaaa fd00:42::42"],
            InProcessQuery.Lines(clusterSetIp.Additional).Order(StringComparer.Ordinal).ToArray());
    }
}
