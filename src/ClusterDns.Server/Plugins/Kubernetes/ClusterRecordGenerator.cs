using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// Turns Kubernetes objects into the records of the DNS specification (and CoreDNS's extras) for every zone
/// the handler serves. Pure functions of their inputs: the builder decides when to call them.
/// </summary>
public sealed class ClusterRecordGenerator
{
    private readonly KubernetesOptions _options;
    private readonly byte[][] _forwardZones;
    private readonly byte[][] _allZones;

    public ClusterRecordGenerator(KubernetesOptions options)
    {
        _options = options;
        _allZones = options.Zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _forwardZones = options.Zones.Where(z => !IsReverseZone(z)).Select(z => z.ToLower().Wire.ToArray()).ToArray();
    }

    public static bool IsReverseZone(DnsName zone) =>
        zone.IsSubdomainOf(DnsName.Parse("in-addr.arpa.")) || zone.IsSubdomainOf(DnsName.Parse("ip6.arpa."));

    /// <summary>True when some served zone contains the name (reverse names of IPs outside them are not ours).</summary>
    public bool IsServed(ReadOnlySpan<byte> name) => WireName.IsInAnyZone(name, _allZones);

    /// <summary>Records of one Service, given its endpoints (already joined from its slices).</summary>
    public void ForService(ServiceObject service, IReadOnlyList<EndpointSliceObject> slices, List<ClusterRecord> records)
    {
        foreach (var zone in _forwardZones)
        {
            var serviceName = ClusterNames.Build(zone, service.Name, service.Namespace, "svc");
            if (serviceName is null)
            {
                continue;
            }
            if (string.Equals(service.Type, "ExternalName", StringComparison.Ordinal))
            {
                if (service.ExternalName is { Length: > 0 } external && DnsName.TryParse(external.TrimEnd('.') + ".", out var target, out _))
                {
                    var targetWire = target.ToLower().Wire.ToArray();
                    records.Add(new ClusterRecord(serviceName, RecordType.CNAME, targetWire));
                }
                continue;
            }
            if (service.IsHeadless)
            {
                AddHeadless(service, slices, serviceName, records);
            }
            else
            {
                AddClusterIp(service, slices, serviceName, records);
            }
        }
    }

    private void AddClusterIp(ServiceObject service, IReadOnlyList<EndpointSliceObject> slices, byte[] serviceName, List<ClusterRecord> records)
    {
        if (service.ClusterIPs.Count == 0)
        {
            return;
        }
        if (_options.IgnoreEmptyService && !HasReadyEndpoint(service, slices))
        {
            return;
        }
        foreach (var ip in service.ClusterIPs)
        {
            records.Add(new ClusterRecord(serviceName, ClusterNames.AddressType(ip), ClusterNames.AddressRdata(ip)));
            AddPtr(ip, serviceName, records);
        }
        var named = service.Ports.Where(p => !string.IsNullOrEmpty(p.Name)).ToArray();
        ushort weight = SrvWeight(named.Length);
        foreach (var port in named)
        {
            var rdata = ClusterNames.SrvRdata(0, weight, (ushort)port.Port, serviceName);
            var portName = ClusterNames.Build(serviceName, "_" + port.Name, "_" + port.Protocol.ToLowerInvariant());
            if (portName is not null)
            {
                records.Add(new ClusterRecord(portName, RecordType.SRV, ClusterNames.SrvRdata(0, 100, (ushort)port.Port, serviceName)));
            }
            records.Add(new ClusterRecord(serviceName, RecordType.SRV, rdata));
        }
    }

    private void AddHeadless(ServiceObject service, IReadOnlyList<EndpointSliceObject> slices, byte[] serviceName, List<ClusterRecord> records)
    {
        if (_options.NoEndpoints)
        {
            return;
        }
        // Distinct (endpoint name, address) pairs; the same address may appear in several slices.
        var endpoints = new List<(byte[] Name, IPAddress Address)>();
        var seen = new HashSet<(string, IPAddress)>();
        var ports = new List<ServicePort>();
        foreach (var slice in slices)
        {
            foreach (var port in slice.Ports)
            {
                if (!string.IsNullOrEmpty(port.Name) && !ports.Contains(port))
                {
                    ports.Add(port);
                }
            }
            foreach (var endpoint in slice.Endpoints)
            {
                if (!endpoint.Ready && !service.PublishNotReadyAddresses)
                {
                    continue;
                }
                foreach (var address in endpoint.Addresses)
                {
                    string label = EndpointLabel(endpoint, address);
                    if (!seen.Add((label, address)))
                    {
                        continue;
                    }
                    var name = ClusterNames.Build(serviceName, label);
                    if (name is not null)
                    {
                        endpoints.Add((name, address));
                    }
                }
            }
        }
        if (endpoints.Count == 0)
        {
            // No ready endpoint: the name does not exist (specification §2.4.1).
            return;
        }
        ushort weight = SrvWeight(endpoints.Count * ports.Count);
        ushort portWeight = SrvWeight(endpoints.Count);
        foreach (var (name, address) in endpoints)
        {
            var type = ClusterNames.AddressType(address);
            var rdata = ClusterNames.AddressRdata(address);
            records.Add(new ClusterRecord(serviceName, type, rdata));
            records.Add(new ClusterRecord(name, type, rdata));
            AddPtr(address, name, records);
            foreach (var port in ports)
            {
                var portName = ClusterNames.Build(serviceName, "_" + port.Name, "_" + port.Protocol.ToLowerInvariant());
                if (portName is not null)
                {
                    records.Add(new ClusterRecord(portName, RecordType.SRV, ClusterNames.SrvRdata(0, portWeight, (ushort)port.Port, name)));
                }
                records.Add(new ClusterRecord(serviceName, RecordType.SRV, ClusterNames.SrvRdata(0, weight, (ushort)port.Port, name)));
            }
        }
    }

    private string EndpointLabel(EndpointObject endpoint, IPAddress address)
    {
        if (!string.IsNullOrEmpty(endpoint.Hostname))
        {
            return endpoint.Hostname;
        }
        if (_options.EndpointPodNames && endpoint.TargetPodName is { Length: > 0 and < 64 } podName)
        {
            return podName;
        }
        return ClusterNames.DashedIp(address);
    }

    private static bool HasReadyEndpoint(ServiceObject service, IReadOnlyList<EndpointSliceObject> slices)
    {
        foreach (var slice in slices)
        {
            foreach (var endpoint in slice.Endpoints)
            {
                if ((endpoint.Ready || service.PublishNotReadyAddresses) && endpoint.Addresses.Count > 0)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private void AddPtr(IPAddress address, byte[] target, List<ClusterRecord> records)
    {
        var reverse = ClusterNames.ReverseName(address);
        if (IsServed(reverse))
        {
            records.Add(new ClusterRecord(reverse, RecordType.PTR, target));
        }
    }

    /// <summary>CoreDNS's weight: 100 shared evenly between the records of one priority.</summary>
    private static ushort SrvWeight(int count) => count <= 0 ? (ushort)100 : (ushort)(100 / count);

    /// <summary>A namespace makes <c>ns.svc.zone</c> (and <c>ns.pod.zone</c> when pods are served) exist.</summary>
    public void ForNamespace(string name, List<ClusterRecord> records)
    {
        foreach (var zone in _forwardZones)
        {
            if (ClusterNames.Build(zone, name, "svc") is { } svc)
            {
                records.Add(ClusterRecord.Marker(svc));
            }
            if (_options.Pods != PodsMode.Disabled && ClusterNames.Build(zone, name, "pod") is { } pod)
            {
                records.Add(ClusterRecord.Marker(pod));
            }
        }
    }

    /// <summary>With <c>pods verified</c>, each pod IP answers at <c>a-b-c-d.ns.pod.zone</c>.</summary>
    public void ForPod(PodObject pod, List<ClusterRecord> records)
    {
        foreach (var zone in _forwardZones)
        {
            foreach (var ip in pod.PodIPs)
            {
                if (ClusterNames.Build(zone, ClusterNames.DashedIp(ip), pod.Namespace, "pod") is { } name)
                {
                    records.Add(new ClusterRecord(name, ClusterNames.AddressType(ip), ClusterNames.AddressRdata(ip)));
                }
            }
        }
    }

    /// <summary>
    /// Records at and near each apex: NS <c>ns.dns.zone</c> with the server's addresses, <c>dns-version</c> TXT,
    /// and the <c>svc</c> / <c>pod</c> subtrees.
    /// </summary>
    public void ForApexes(IReadOnlyList<IPAddress> nameServerAddresses, List<ClusterRecord> records)
    {
        foreach (var zone in _allZones)
        {
            var nsName = ClusterNames.Build(_forwardZones.Length > 0 ? _forwardZones[0] : zone, "ns", "dns")!;
            records.Add(new ClusterRecord(zone, RecordType.NS, nsName));
        }
        foreach (var zone in _forwardZones)
        {
            var nsName = ClusterNames.Build(zone, "ns", "dns")!;
            foreach (var address in nameServerAddresses)
            {
                records.Add(new ClusterRecord(nsName, ClusterNames.AddressType(address), ClusterNames.AddressRdata(address)));
            }
            records.Add(new ClusterRecord(ClusterNames.Build(zone, "dns-version")!, RecordType.TXT, ClusterNames.TxtRdata("1.1.0")));
            records.Add(ClusterRecord.Marker(ClusterNames.Build(zone, "svc")!));
            if (_options.Pods != PodsMode.Disabled)
            {
                records.Add(ClusterRecord.Marker(ClusterNames.Build(zone, "pod")!));
            }
        }
    }

    /// <summary>Where the NS name points when no kube-dns Service is known: this host's own addresses.</summary>
    public static IReadOnlyList<IPAddress> LocalAddresses()
    {
        try
        {
            var addresses = NetworkInterface.GetAllNetworkInterfaces()
                .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .Where(a => a.AddressFamily == AddressFamily.InterNetwork || (a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal))
                .ToArray();
            return addresses.Length > 0 ? addresses : [IPAddress.Loopback];
        }
        catch (NetworkInformationException)
        {
            return [IPAddress.Loopback];
        }
    }
}
