using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Names;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// Turns Kubernetes objects into the records of the DNS specification (and CoreDNS's extras) for every zone
/// the handler serves. Pure functions of their inputs: the builder decides when to call them.
/// </summary>
public sealed class ClusterRecordGenerator
{
    private readonly KubernetesOptions _options;
    private readonly byte[][] _forwardZones;
    /// <summary>Forward zones whose Services are the cluster's: a multicluster zone's are ServiceImports, without PTRs.</summary>
    private readonly byte[][] _serviceZones;
    private readonly byte[][] _allZones;
    private readonly bool _hasReverseZones;

    public ClusterRecordGenerator(KubernetesOptions options)
    {
        _options = options;
        _allZones = options.Zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _forwardZones = options.Zones.Where(z => !ClusterNames.IsReverseZone(z)).Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _serviceZones = options.Zones.Where(z => !ClusterNames.IsReverseZone(z) && !options.IsMulticlusterZone(z)).Select(z => z.ToLower().Wire.ToArray()).ToArray();
        // A zone such as arpa. holds reverse names too.
        _hasReverseZones = options.Zones.Any(z => ClusterNames.IsReverseZone(z)
            || DnsName.Parse("in-addr.arpa.").IsSubdomainOf(z) || DnsName.Parse("ip6.arpa.").IsSubdomainOf(z));
    }

    /// <summary>True when some served zone contains the name (reverse names of IPs outside them are not ours).</summary>
    public bool IsServed(ReadOnlySpan<byte> name) => WireName.IsInAnyZone(name, _allZones);

    /// <summary>
    /// The records a Service contributes to the names the index stores: the PTR records of its cluster IPs or of
    /// its endpoints in the served reverse zones. Its own names are answered from its record.
    /// </summary>
    public void ForService(ClusterService service, List<ClusterRecord> records)
    {
        if (!_hasReverseZones || !service.Answers || service.IsExternalName)
        {
            return;
        }
        string name = System.Text.Encoding.ASCII.GetString(service.NameLabel);
        string ns = System.Text.Encoding.ASCII.GetString(service.NamespaceLabel);
        foreach (var zone in _serviceZones)
        {
            if (service.IsHeadless)
            {
                foreach (var endpoint in service.Endpoints)
                {
                    var target = ClusterNames.Build(zone, System.Text.Encoding.ASCII.GetString(endpoint.Label), name, ns, "svc");
                    if (target is not null)
                    {
                        AddPtr(new IPAddress(endpoint.Address), target, records);
                    }
                }
            }
            else if (ClusterNames.Build(zone, name, ns, "svc") is { } serviceName)
            {
                foreach (var ip in service.Ips)
                {
                    AddPtr(new IPAddress(ip), serviceName, records);
                }
            }
        }
    }

    private void AddPtr(IPAddress address, byte[] target, List<ClusterRecord> records)
    {
        var reverse = ReverseNames.Of(address).Wire.ToArray();
        if (IsServed(reverse))
        {
            records.Add(new ClusterRecord(reverse, RecordType.PTR, target));
        }
    }

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
            // A multicluster zone follows KEP-1645's schema, version 1.0.0 (its §2.2); the cluster zone the DNS specification 1.1.0.
            var version = _serviceZones.Any(z => z.AsSpan().SequenceEqual(zone)) ? "1.1.0" : "1.0.0";
            records.Add(new ClusterRecord(ClusterNames.Build(zone, "dns-version")!, RecordType.TXT, ClusterNames.TxtRdata(version)));
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
