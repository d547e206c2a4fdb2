using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Autopath;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Tests.Plugins.Kubernetes;

namespace ClusterDns.Server.Tests.Plugins.Autopath;

/// <summary>
/// Restates coredns/coredns plugin/kubernetes/autopath_test.go (TestAutoPath): the search list of a pod, found by
/// its address, in zone interwebs.test. and in zone "."; the server's own search domain is "custom.".
/// </summary>
public sealed class PodSearchListTests
{
    private static PodAddressIndex Index()
    {
        var cluster = new ClusterZoneFixture("kubernetes cluster.local { pods verified }");
        cluster.Upsert(new PodObject { Namespace = "testns", Name = "client", PodIPs = [IPAddress.Parse("10.240.0.1")], Phase = "Running" });
        cluster.Upsert(new PodObject { Namespace = "other", Name = "host-pod", PodIPs = [IPAddress.Parse("10.16.0.1")], Phase = "Running" });
        cluster.Builder.Publish();
        return cluster.Builder.PodAddresses;
    }

    public static TheoryData<string, string, string[]> Cases => new()
    {
        // client address, zone → search list ("." is the name itself, CoreDNS's "" sentinel)
        { "10.240.0.1", "interwebs.test.", ["testns.svc.interwebs.test.", "svc.interwebs.test.", "interwebs.test.", "custom.", "."] },
        // Zone ".": CoreDNS also lists "." third, which makes "base.." (no name); we ask the name itself once, last.
        { "10.240.0.1", ".", ["testns.svc.", "svc.", "custom.", "."] },
        { "10.16.0.1", ".", ["other.svc.", "svc.", "custom.", "."] },
        { "10.16.0.1", "interwebs.test.", ["other.svc.interwebs.test.", "svc.interwebs.test.", "interwebs.test.", "custom.", "."] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_pod_gets_its_namespaces_list_then_the_servers_then_the_name_itself(string client, string zone, string[] expected)
    {
        var index = Index();
        Assert.True(index.TryGetNamespace(new IPEndPoint(IPAddress.Parse(client), 1).Serialize(), out var label));

        var list = SearchPath.ForPod(label, DnsName.Parse(zone).Wire.ToArray(), [DnsName.Parse("custom.").Wire.ToArray()]);

        Assert.Equal(expected, list.Select(n => DnsName.Format(n)));
    }
}
