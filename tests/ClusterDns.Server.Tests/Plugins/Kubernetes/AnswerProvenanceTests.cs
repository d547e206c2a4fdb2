using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using static ClusterDns.Server.Tests.Plugins.Kubernetes.ClusterObjects;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// explain, inside the zone writer: for each name shape of the specification, the objects its answers come from;
/// nothing for names the plugin does not hold. (Versions and arrival times come from the source: ExplainEndpointTests.)
/// </summary>
public sealed class AnswerProvenanceTests
{
    private readonly ClusterZoneFixture _zone = new("kubernetes cluster.local in-addr.arpa ip6.arpa { pods verified\n ttl 30 }");

    public AnswerProvenanceTests()
    {
        _zone.Upsert(new NamespaceObject { Name = "shop", ResourceVersion = "5" });
        _zone.Upsert(With(ClusterIp("shop", "web", "10.96.0.10", new ServicePort("http", "TCP", 80)), "100"));
        _zone.Upsert(With(Headless("shop", "db", ports: new ServicePort("pg", "TCP", 5432)), "200"));
        _zone.Upsert(new EndpointSliceObject
        {
            Namespace = "shop", Name = "db-abc", ServiceName = "db", AddressType = "IPv4", ResourceVersion = "201",
            Endpoints = [Endpoint("10.244.0.5", hostname: "db-0", pod: "db-0"), Endpoint("10.244.0.6", pod: "db-1")],
            Ports = [new ServicePort("pg", "TCP", 5432)],
        });
        _zone.Upsert(new PodObject { Namespace = "shop", Name = "p1", PodIPs = [IPAddress.Parse("10.244.1.7")], ResourceVersion = "300" });
        _zone.Builder.Publish();
    }

    public static TheoryData<string, string[]> Cases => new()
    {
        { "web.shop.svc.cluster.local", ["Service shop/web"] },
        { "WEB.Shop.svc.cluster.local", ["Service shop/web"] },
        { "db.shop.svc.cluster.local", ["Service shop/db", "EndpointSlice shop/db-abc"] },
        { "db-0.db.shop.svc.cluster.local", ["Service shop/db", "EndpointSlice shop/db-abc"] },
        { "10-244-0-6.db.shop.svc.cluster.local", ["Service shop/db", "EndpointSlice shop/db-abc"] },
        { "_http._tcp.web.shop.svc.cluster.local", ["Service shop/web"] },
        { "_pg._tcp.db.shop.svc.cluster.local", ["Service shop/db", "EndpointSlice shop/db-abc"] },
        { "10-244-1-7.shop.pod.cluster.local", ["Pod shop/p1"] },
        { "10-244-1-8.shop.pod.cluster.local", [] },
        { "shop.svc.cluster.local", ["Namespace shop"] },
        { "10.0.96.10.in-addr.arpa", ["Service shop/web"] },
        { "5.0.244.10.in-addr.arpa", ["EndpointSlice shop/db-abc"] },
        { "nothing.shop.svc.cluster.local", [] },
        { "a.b.c.d.e.f.cluster.local", [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_name_shape_names_the_objects_its_answers_come_from(string name, string[] expected)
    {
        var explained = _zone.Builder.Explain(DnsName.Parse(name));

        Assert.NotNull(explained);
        Assert.Equal(expected, explained.Value.Objects.Select(o => $"{o.Kind} {o.Key}"));
        if (expected.Length == 0)
        {
            Assert.NotEmpty(explained.Value.Notes); // every empty explanation says why
        }
    }

    [Fact]
    public void The_endpoint_named_is_the_one_described()
    {
        var explained = _zone.Builder.Explain(DnsName.Parse("db-0.db.shop.svc.cluster.local"))!.Value;
        Assert.Contains("10.244.0.5 hostname db-0", explained.Objects[1].Role);
        var byAddress = _zone.Builder.Explain(DnsName.Parse("10-244-0-6.db.shop.svc.cluster.local"))!.Value;
        Assert.Contains("10.244.0.6", byAddress.Objects[1].Role);
    }

    [Fact]
    public void Names_outside_the_plugins_zones_are_not_explained()
    {
        Assert.Null(_zone.Builder.Explain(DnsName.Parse("example.com")));
        Assert.Equal("cluster.local.", _zone.Builder.Explain(DnsName.Parse("cluster.local"))!.Value.Zone.ToString());
    }

    [Fact]
    public void A_deleted_service_is_no_longer_named()
    {
        _zone.Builder.Apply(ClusterChange.Delete(ResourceKind.Service, "shop/web", "160"));
        _zone.Builder.Publish();
        Assert.Empty(_zone.Builder.Explain(DnsName.Parse("web.shop.svc.cluster.local"))!.Value.Objects);
        Assert.Empty(_zone.Builder.Explain(DnsName.Parse("10.0.96.10.in-addr.arpa"))!.Value.Objects);
    }

    [Fact]
    public void Pod_names_with_pods_insecure_say_no_object_is_consulted()
    {
        var insecure = new ClusterZoneFixture();
        var explained = insecure.Builder.Explain(DnsName.Parse("10-244-1-7.shop.pod.cluster.local"))!.Value;
        Assert.Empty(explained.Objects);
        Assert.Contains(explained.Notes, n => n.Contains("pods insecure", StringComparison.Ordinal));
    }

    private static ServiceObject With(ServiceObject service, string version) => new()
    {
        Namespace = service.Namespace,
        Name = service.Name,
        Type = service.Type,
        IsHeadless = service.IsHeadless,
        ClusterIPs = service.ClusterIPs,
        Ports = service.Ports,
        HasSelector = true,
        ResourceVersion = version,
    };
}
