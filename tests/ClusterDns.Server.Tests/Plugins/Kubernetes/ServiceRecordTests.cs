using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;
using static ClusterDns.Server.Tests.Plugins.Kubernetes.ClusterObjects;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// A Service's names are answered from its one compact record (<see cref="ClusterService"/>): the record
/// sets they give hold each record once, as stored record sets did, and the record keeps what the builder
/// needs to compose it again (it is the builder's only copy of the Service).
/// </summary>
public sealed class ServiceRecordTests
{
    [Fact]
    public async Task Ports_sharing_a_number_give_one_srv_record_at_the_service_name_and_one_per_port_name()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(ClusterIp("kube-system", "kube-dns", "10.96.0.10",
            new ServicePort("dns", "UDP", 53), new ServicePort("dns-tcp", "TCP", 53), new ServicePort("metrics", "TCP", 9153)));
        fixture.Builder.Publish();

        var srv = await fixture.AskAsync("kube-dns.kube-system.svc.cluster.local.", RecordType.SRV);
        // Three named ports share the weight; the two on 53 are one record.
        Assert.Equal(
            ["kube-dns.kube-system.svc.cluster.local. 30 in srv 0 33 53 kube-dns.kube-system.svc.cluster.local.",
             "kube-dns.kube-system.svc.cluster.local. 30 in srv 0 33 9153 kube-dns.kube-system.svc.cluster.local."],
            InProcessQuery.Lines(srv.Answers).Order());
        Assert.Equal(["kube-dns.kube-system.svc.cluster.local. 30 in a 10.96.0.10"], InProcessQuery.Lines(srv.Additional.Where(r => r.Type != RecordType.OPT)));

        var udp = await fixture.AskAsync("_dns._udp.kube-dns.kube-system.svc.cluster.local.", RecordType.SRV);
        Assert.Equal(["_dns._udp.kube-dns.kube-system.svc.cluster.local. 30 in srv 0 100 53 kube-dns.kube-system.svc.cluster.local."], InProcessQuery.Lines(udp.Answers));
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("_dns._tcp.kube-dns.kube-system.svc.cluster.local.", RecordType.SRV)).Rcode);
        // _udp and _tcp exist (no records), _sctp does not; nothing exists below a port name.
        var protocol = await fixture.AskAsync("_udp.kube-dns.kube-system.svc.cluster.local.", RecordType.A);
        Assert.Equal((ResponseCode.NoError, 0), (protocol.Rcode, protocol.Answers.Count));
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("_sctp.kube-dns.kube-system.svc.cluster.local.", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("x._dns._udp.kube-dns.kube-system.svc.cluster.local.", RecordType.A)).Rcode);
        // A ClusterIP Service has no endpoint names.
        Assert.Equal(ResponseCode.NXDomain, (await fixture.AskAsync("10-96-0-10.kube-dns.kube-system.svc.cluster.local.", RecordType.A)).Rcode);
    }

    [Fact]
    public async Task A_dual_stack_endpoint_is_one_srv_target_with_both_addresses()
    {
        var fixture = new ClusterZoneFixture();
        var port = new ServicePort("db", "TCP", 5432);
        fixture.Upsert(Headless("db", "pg", ports: port));
        fixture.Upsert(Slice("db", "pg", "pg-v4", [Endpoint("10.1.0.1", hostname: "pg-0"), Endpoint("10.1.0.2", hostname: "pg-1")], port));
        var v6 = Slice("db", "pg", "pg-v6", [Endpoint("fd00::1", hostname: "pg-0")], port);
        fixture.Upsert(new EndpointSliceObject { Namespace = v6.Namespace, Name = v6.Name, ServiceName = v6.ServiceName, AddressType = "IPv6", Endpoints = v6.Endpoints, Ports = v6.Ports });
        fixture.Builder.Publish();

        var srv = await fixture.AskAsync("_db._tcp.pg.db.svc.cluster.local.", RecordType.SRV);
        // Three (label, address) pairs share the weight; pg-0 is one target.
        Assert.Equal(
            ["_db._tcp.pg.db.svc.cluster.local. 30 in srv 0 33 5432 pg-0.pg.db.svc.cluster.local.",
             "_db._tcp.pg.db.svc.cluster.local. 30 in srv 0 33 5432 pg-1.pg.db.svc.cluster.local."],
            InProcessQuery.Lines(srv.Answers).Order());
        Assert.Equal(
            ["pg-0.pg.db.svc.cluster.local. 30 in a 10.1.0.1", "pg-0.pg.db.svc.cluster.local. 30 in aaaa fd00::1", "pg-1.pg.db.svc.cluster.local. 30 in a 10.1.0.2"],
            InProcessQuery.Lines(srv.Additional.Where(r => r.Type != RecordType.OPT)).Order());
        Assert.Equal(["pg-0.pg.db.svc.cluster.local. 30 in aaaa fd00::1"], InProcessQuery.Lines((await fixture.AskAsync("pg-0.pg.db.svc.cluster.local.", RecordType.AAAA)).Answers));
        var any = await fixture.AskAsync("pg.db.svc.cluster.local.", RecordType.ANY);
        Assert.Equal(5, any.Answers.Count); // two A, one AAAA, two SRV
    }

    [Fact]
    public async Task An_address_under_two_labels_is_one_record_at_the_service_name()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(Headless("db", "pg"));
        fixture.Upsert(Slice("db", "pg", "pg-1", [Endpoint("10.1.0.1", hostname: "a")]));
        fixture.Upsert(Slice("db", "pg", "pg-2", [Endpoint("10.1.0.1", hostname: "b")]));
        fixture.Builder.Publish();

        Assert.Equal(["pg.db.svc.cluster.local. 30 in a 10.1.0.1"], InProcessQuery.Lines((await fixture.AskAsync("pg.db.svc.cluster.local.", RecordType.A)).Answers));
        Assert.Equal(["b.pg.db.svc.cluster.local. 30 in a 10.1.0.1"], InProcessQuery.Lines((await fixture.AskAsync("b.pg.db.svc.cluster.local.", RecordType.A)).Answers));
    }

    [Fact]
    public void Services_add_no_names_to_the_index_without_reverse_zones()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local");
        fixture.Upsert(ClusterIp("a", "first", "10.96.0.1", new ServicePort("http", "TCP", 80)));
        fixture.Builder.Publish();
        int names = fixture.Builder.Current.NameCount;

        for (int i = 0; i < 50; i++)
        {
            fixture.Upsert(ClusterIp("a", "svc" + i, "10.96.1." + i, new ServicePort("http", "TCP", 80), new ServicePort("grpc", "TCP", 9090)));
        }
        fixture.Builder.Publish();

        Assert.Equal(names, fixture.Builder.Current.NameCount);
        Assert.Equal(51, fixture.Builder.Current.ServiceCount);
        Assert.True(fixture.Builder.Current.Contains(DnsName.Parse("_grpc._tcp.svc7.a.svc.cluster.local.").Wire));
        // What the benchmark's ClusterIP Service costs: its record, not its names (~180 bytes each, 4 of them, before).
        Assert.All(fixture.Builder.Current.Services(), service => Assert.InRange(service.Blob.Length, 1, 64));
    }

    [Theory]
    [InlineData("web.shop.svc.cluster.local.", "cluster.local.", true, "web.shop.svc.cluster.local.")]
    [InlineData("_http._tcp.web.shop.svc.cluster.local.", "cluster.local.", true, "web.shop.svc.cluster.local.")]
    [InlineData("shop.svc.cluster.local.", "cluster.local.", false, "")]
    [InlineData("web.shop.pod.cluster.local.", "cluster.local.", false, "")]
    [InlineData("a.b.x.", ".", false, "")] // a one-letter label where "svc" would be, under the root zone
    [InlineData("web.shop.svc.", ".", true, "web.shop.svc.")]
    public void A_service_name_is_located_by_its_labels(string name, string zone, bool located, string serviceName)
    {
        var wire = DnsName.Parse(name).Wire;
        bool found = ServiceAnswers.TryLocate(wire, wire.Length - DnsName.Parse(zone).Wire.Length, out int start, out int keyLength);

        Assert.Equal(located, found);
        if (located)
        {
            Assert.Equal(serviceName, DnsName.FromWire(wire[start..]).ToString());
            Assert.Equal(ClusterServiceCodec.Key("web", "shop"), wire.Slice(start, keyLength).ToArray());
        }
    }

    [Fact]
    public void A_composed_record_gives_back_the_service_it_was_composed_from()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local");
        var codec = new ClusterServiceCodec(fixture.Options);
        var service = new ServiceObject
        {
            Namespace = "Shop",
            Name = "web",
            Type = "LoadBalancer",
            ClusterIPs = [IPAddress.Parse("10.96.0.5"), IPAddress.Parse("fd00::5")],
            Ports = [new ServicePort("http", "TCP", 80), new ServicePort(null, "UDP", 9), new ServicePort("dns", "UDP", 53)],
            PublishNotReadyAddresses = true,
            HasSelector = true,
            Labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" },
        };

        var decoded = ClusterServiceCodec.Decode(new ClusterService(codec.Compose(service, [], exposed: true, keepLabels: true)!));

        Assert.Equal(("web", "shop", "LoadBalancer", false), (decoded.Name, decoded.Namespace, decoded.Type, decoded.IsHeadless));
        Assert.Equal(service.ClusterIPs, decoded.ClusterIPs);
        // Unnamed ports have no DNS names, and are not kept.
        Assert.Equal([new ServicePort("http", "TCP", 80), new ServicePort("dns", "UDP", 53)], decoded.Ports);
        Assert.True(decoded.PublishNotReadyAddresses && decoded.HasSelector);
        Assert.Equal(service.Labels.OrderBy(l => l.Key), decoded.Labels.OrderBy(l => l.Key));

        var external = new ServiceObject { Namespace = "a", Name = "ext", Type = "ExternalName", ExternalName = "Example.COM." };
        var record = new ClusterService(codec.Compose(external, [], exposed: false, keepLabels: false)!);
        Assert.False(record.Answers);
        Assert.Equal(("example.com", 0), (ClusterServiceCodec.Decode(record).ExternalName, ClusterServiceCodec.Decode(record).Labels.Count));
        Assert.Null(codec.Compose(new ServiceObject { Namespace = "a", Name = new string('x', 64), Type = "ClusterIP" }, [], true, false));
    }

    [Fact]
    public void A_stored_slice_gives_back_the_slice()
    {
        var slice = new EndpointSliceObject
        {
            Namespace = "db",
            Name = "pg-abcde",
            ServiceName = "pg",
            AddressType = "IPv6",
            Ports = [new ServicePort("db", "TCP", 5432), new ServicePort(null, "UDP", 9)],
            Endpoints =
            [
                new EndpointObject { Addresses = [IPAddress.Parse("fd00::1"), IPAddress.Parse("fd00::2")], Hostname = "pg-0", TargetPodName = "pg-0", NodeName = "node-1" },
                new EndpointObject { Addresses = [IPAddress.Parse("fd00::3")], Ready = false },
            ],
        };

        var decoded = StoredSlice.Decode("db/pg-abcde", StoredSlice.Encode(slice));

        Assert.Equal((slice.Namespace, slice.Name, slice.ServiceName, slice.AddressType), (decoded.Namespace, decoded.Name, decoded.ServiceName, decoded.AddressType));
        Assert.Equal(slice.Ports, decoded.Ports);
        Assert.Equal(
            slice.Endpoints.Select(e => (string.Join(',', e.Addresses), e.Ready, e.Hostname, e.TargetPodName, e.NodeName)),
            decoded.Endpoints.Select(e => (string.Join(',', e.Addresses), e.Ready, e.Hostname, e.TargetPodName, e.NodeName)));
        Assert.Equal("pg", StoredSlice.ServiceName(StoredSlice.Encode(slice)));
    }
}
