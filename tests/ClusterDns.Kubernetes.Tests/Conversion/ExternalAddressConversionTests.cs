using System.Text.Json;
using ClusterDns.Kubernetes.Conversion;

namespace ClusterDns.Kubernetes.Tests.Conversion;

/// <summary>
/// spec.externalIPs and status.loadBalancer.ingress (what k8s_external publishes), joined as CoreDNS's Service
/// object joins them: external IPs, then each ingress point's IP or, without one, its hostname.
/// </summary>
public sealed class ExternalAddressConversionTests
{
    public static TheoryData<string, string[], string[]> Cases => new()
    {
        { """{"spec":{"clusterIP":"10.0.0.1"}}""", [], [] },
        { """{"spec":{"clusterIP":"10.0.0.1","externalIPs":["192.168.200.123"]}}""", ["192.168.200.123"], [] },
        { """{"spec":{"clusterIP":"None","externalIPs":["1:2::5"]}}""", ["1:2::5"], [] },
        { """{"spec":{"type":"LoadBalancer","clusterIP":"10.0.0.1"},"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"}]}}}""", ["203.0.113.7"], [] },
        { """{"spec":{"type":"LoadBalancer","clusterIP":"10.0.0.1"},"status":{"loadBalancer":{"ingress":[{"hostname":"a1.elb.example.com"}]}}}""", [], ["a1.elb.example.com"] },
        // An ingress point with both: its IP (CoreDNS takes the IP and ignores the hostname).
        { """{"spec":{"type":"LoadBalancer"},"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.8","hostname":"lb.example.com"}]}}}""", ["203.0.113.8"], [] },
        // External IPs first, then ingress; a repeat is kept once.
        { """{"spec":{"type":"LoadBalancer","externalIPs":["198.51.100.1"]},"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"},{"ip":"198.51.100.1"},{"hostname":"x.example.com"}]}}}""",
            ["198.51.100.1", "203.0.113.7"], ["x.example.com"] },
        // Not an address: left out, the Service itself still converts (its cluster names do not depend on it).
        { """{"spec":{"clusterIP":"10.0.0.1","externalIPs":["not-an-ip", 7, null, "10.1.1.1"]}}""", ["10.1.1.1"], [] },
        { """{"spec":{"clusterIP":"10.0.0.1"},"status":{"loadBalancer":{"ingress":[{},{"ip":""},"x"]}}}""", [], [] },
        { """{"spec":{"clusterIP":"10.0.0.1"},"status":{"loadBalancer":{}}}""", [], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void External_addresses_and_ingress_hostnames_are_kept(string body, string[] addresses, string[] hostnames)
    {
        using var document = JsonDocument.Parse("""{"metadata":{"name":"s","namespace":"default"},""" + body[1..]);

        Assert.True(ObjectConverter.TryConvert(ResourceKind.Service, document.RootElement, out var converted, out var error), error);
        var service = (ServiceObject)converted.Object;

        Assert.Equal(addresses, service.ExternalIPs.Select(a => a.ToString()).ToArray());
        Assert.Equal(hostnames, service.IngressHostnames.ToArray());
    }
}
