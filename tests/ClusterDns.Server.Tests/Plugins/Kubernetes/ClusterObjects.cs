using System.Net;
using ClusterDns.Kubernetes;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>Small constructors for test objects.</summary>
public static class ClusterObjects
{
    public static ServiceObject ClusterIp(string ns, string name, string ip, params ServicePort[] ports) => new()
    {
        Namespace = ns,
        Name = name,
        Type = "ClusterIP",
        ClusterIPs = [IPAddress.Parse(ip)],
        Ports = ports,
    };

    public static ServiceObject Headless(string ns, string name, bool publishNotReady = false, params ServicePort[] ports) => new()
    {
        Namespace = ns,
        Name = name,
        Type = "ClusterIP",
        IsHeadless = true,
        Ports = ports,
        PublishNotReadyAddresses = publishNotReady,
    };

    public static EndpointSliceObject Slice(string ns, string service, string name, IEnumerable<EndpointObject> endpoints, params ServicePort[] ports) => new()
    {
        Namespace = ns,
        Name = name,
        ServiceName = service,
        AddressType = "IPv4",
        Endpoints = endpoints.ToArray(),
        Ports = ports,
    };

    public static EndpointObject Endpoint(string ip, bool ready = true, string? hostname = null, string? pod = null) => new()
    {
        Addresses = [IPAddress.Parse(ip)],
        Ready = ready,
        Hostname = hostname,
        TargetPodName = pod,
    };
}
