using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Persistence;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// External IPs and load balancer ingress in the Service record (k8s_external's data): an optional section after
/// the endpoints, lossless through the record (the builder's store) and the state file, absent when empty.
/// </summary>
public sealed class ServiceExternalRecordTests
{
    private static ServiceObject WithExternals() => new()
    {
        Namespace = "shop",
        Name = "web",
        Type = "LoadBalancer",
        ClusterIPs = [IPAddress.Parse("10.96.0.5")],
        ExternalIPs = [IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1")],
        IngressHostnames = ["LB-1.Elb.Example.com", "lb-2.elb.example.com"],
        Ports = [new ServicePort("http", "TCP", 80)],
        ResourceVersion = "7",
    };

    [Fact]
    public void The_record_keeps_external_addresses_and_hostnames_and_decodes_them_back()
    {
        var codec = new ClusterServiceCodec(new ClusterZoneFixture("kubernetes cluster.local").Options);

        var record = new ClusterService(codec.Compose(WithExternals(), [], exposed: true, keepLabels: false)!);
        var decoded = ClusterServiceCodec.Decode(record);

        Assert.Equal(WithExternals().ExternalIPs, decoded.ExternalIPs);
        // Hostnames are names: kept lower case.
        Assert.Equal(["lb-1.elb.example.com", "lb-2.elb.example.com"], decoded.IngressHostnames);
        Assert.True(record.IsExposed);
        Assert.Equal(4, record.Externals.Count);
        // The cluster answers are unchanged by the section.
        Assert.Equal([IPAddress.Parse("10.96.0.5")], decoded.ClusterIPs);
    }

    [Fact]
    public void A_service_without_external_addresses_pays_nothing_for_them()
    {
        var codec = new ClusterServiceCodec(new ClusterZoneFixture("kubernetes cluster.local").Options);
        var plain = WithExternals();
        var without = new ServiceObject
        {
            Namespace = plain.Namespace, Name = plain.Name, Type = plain.Type, ClusterIPs = plain.ClusterIPs, Ports = plain.Ports,
        };

        var withBlob = codec.Compose(plain, [], exposed: true, keepLabels: false)!;
        var withoutBlob = codec.Compose(without, [], exposed: true, keepLabels: false)!;

        Assert.Equal(0, new ClusterService(withoutBlob).Externals.Count);
        // One count byte, then per entry a kind and a length byte: 4 + 16 address bytes, two 22-byte wire names.
        Assert.Equal(1 + (2 + 4) + (2 + 16) + 2 * (2 + 22), withBlob.Length - withoutBlob.Length);
        Assert.False(new ClusterService(codec.Compose(plain, [], exposed: false, keepLabels: false)!).IsExposed);
    }

    [Fact]
    public void The_state_file_keeps_them()
    {
        var image = ClusterStateFormat.Encode(new ClusterState([WithExternals()], [], [], [new NamespaceObject { Name = "shop" }]), "hash");

        Assert.True(ClusterStateFormat.TryDecode(image, "hash", out var decoded, out var problem), problem);
        var service = Assert.Single(decoded!.Services);
        Assert.Equal(WithExternals().ExternalIPs, service.ExternalIPs);
        Assert.Equal(WithExternals().IngressHostnames, service.IngressHostnames);
        Assert.Equal(4u, ClusterStateFormat.FormatVersion);
    }

    [Fact]
    public void Incremental_publishes_carry_external_changes_like_a_fresh_build()
    {
        var fixture = new ClusterZoneFixture("kubernetes cluster.local");
        fixture.Upsert(new NamespaceObject { Name = "shop" });
        fixture.Upsert(WithExternals());
        fixture.Builder.Publish();
        var changed = WithExternals();
        fixture.Upsert(new ServiceObject
        {
            Namespace = changed.Namespace, Name = changed.Name, Type = changed.Type, ClusterIPs = changed.ClusterIPs, Ports = changed.Ports,
            ExternalIPs = [IPAddress.Parse("192.0.2.99")],
        });
        fixture.Builder.Publish();

        var record = fixture.Builder.Current.Services().Single();
        var decoded = ClusterServiceCodec.Decode(record);
        Assert.Equal([IPAddress.Parse("192.0.2.99")], decoded.ExternalIPs);
        Assert.Empty(decoded.IngressHostnames);
    }
}
