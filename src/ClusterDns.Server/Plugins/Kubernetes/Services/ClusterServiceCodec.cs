using System.Net;
using System.Text;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Binary;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Names;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Kubernetes.Services;

/// <summary>
/// Builds a <see cref="ClusterService"/> from a Service and its EndpointSlices (what the specification
/// publishes: ready endpoints, their labels, the named ports), and reads the Service back out of one. The
/// zone builder's only copy of a Service is its published record; it decodes it when a slice or namespace
/// change makes it compose the record again. Builder-side only: allocation here is per change, not per query.
/// </summary>
public sealed class ClusterServiceCodec
{
    private readonly KubernetesOptions _options;

    public ClusterServiceCodec(KubernetesOptions options) => _options = options;

    /// <summary>
    /// The table key of a Service: the wire labels <c>name</c> and <c>namespace</c>, lower case; null when
    /// either cannot be a DNS label (such a Service has no names).
    /// </summary>
    public static byte[]? Key(string name, string ns)
    {
        if (!IsLabel(name) || !IsLabel(ns))
        {
            return null;
        }
        var key = new byte[2 + name.Length + ns.Length];
        key[0] = (byte)name.Length;
        WriteLower(name, key.AsSpan(1));
        key[1 + name.Length] = (byte)ns.Length;
        WriteLower(ns, key.AsSpan(2 + name.Length));
        return key;
    }

    /// <summary>The key of "namespace/name" (the key of a change), or null.</summary>
    public static byte[]? KeyOf(string objectKey)
    {
        int slash = objectKey.IndexOf('/');
        return slash < 0 ? null : Key(objectKey[(slash + 1)..], objectKey[..slash]);
    }

    private static bool IsLabel(string text)
    {
        if (text.Length is 0 or > WireName.MaxLabelLength)
        {
            return false;
        }
        foreach (char c in text)
        {
            if (c > 0x7F || c == '.')
            {
                return false;
            }
        }
        return true;
    }

    private static void WriteLower(string text, Span<byte> destination)
    {
        for (int i = 0; i < text.Length; i++)
        {
            destination[i] = WireName.ToLower((byte)text[i]);
        }
    }

    /// <summary>
    /// The record of <paramref name="service"/> with its <paramref name="slices"/>; <paramref name="exposed"/>
    /// says whether the namespace and label selectors let it be seen. Null when its name is not a DNS name.
    /// </summary>
    public byte[]? Compose(ServiceObject service, IReadOnlyList<EndpointSliceObject> slices, bool exposed, bool keepLabels)
    {
        var key = Key(service.Name, service.Namespace);
        if (key is null)
        {
            return null;
        }
        byte type = TypeCode(service.Type);
        bool answers = exposed;
        var ips = new List<IPAddress>();
        var ports = new List<(string Name, string Protocol, int Number)>();
        var endpoints = new List<(IPAddress Address, string Label)>();
        byte[] external = [];
        if (type == ClusterService.TypeExternalName)
        {
            if (service.ExternalName is { Length: > 0 } target && DnsName.TryParse(target.TrimEnd('.') + ".", out var parsed, out _))
            {
                external = parsed.ToLower().Wire.ToArray();
            }
            answers &= external.Length > 0;
        }
        else if (service.IsHeadless)
        {
            if (!_options.NoEndpoints)
            {
                MergeEndpoints(service, slices, endpoints, ports);
            }
            // No ready endpoint: the name does not exist (specification §2.4.1).
            answers &= endpoints.Count > 0;
        }
        else
        {
            ips.AddRange(service.ClusterIPs);
            foreach (var port in service.Ports)
            {
                if (!string.IsNullOrEmpty(port.Name))
                {
                    ports.Add((port.Name, port.Protocol, port.Port));
                }
            }
            answers &= ips.Count > 0 && (!_options.IgnoreEmptyService || HasReadyEndpoint(service, slices));
        }

        var blob = new BlobWriter(64 + key.Length);
        blob.ShortBytes(key);
        blob.Bool(answers);
        blob.U8(type);
        var externals = ExternalEntries(service);
        blob.U8((byte)((service.IsHeadless ? ClusterService.FlagHeadless : 0)
            | (service.PublishNotReadyAddresses ? ClusterService.FlagPublishNotReady : 0)
            | (service.HasSelector ? ClusterService.FlagHasSelector : 0)
            | (exposed ? ClusterService.FlagExposed : 0)
            | (externals.Count > 0 ? ClusterService.FlagHasExternal : 0)));
        int ipCount = Math.Min(ips.Count, byte.MaxValue);
        blob.U8((byte)ipCount);
        foreach (var ip in ips.Take(ipCount))
        {
            blob.Address(ip);
        }
        int portCount = Math.Min(ports.Count, byte.MaxValue);
        blob.U8((byte)portCount);
        for (int i = 0; i < portCount; i++)
        {
            var (name, protocol, number) = ports[i];
            bool repeats = ports.Take(i).Any(p => p.Number == number);
            blob.U8(repeats ? ClusterService.PortRepeatsNumber : (byte)0);
            blob.ShortBytes(Ascii(protocol.ToLowerInvariant()));
            blob.U16(number);
            // Stored whole, whatever its length: the record is the builder's only copy of the Service. A name
            // too long for "_" + name to be a label still counts at the Service name; it has no SRV name.
            blob.ShortBytes(Ascii(name.ToLowerInvariant()));
        }
        blob.ShortBytes(external);
        var labels = keepLabels ? service.Labels.Take(ushort.MaxValue).ToArray() : [];
        blob.U16(labels.Length);
        foreach (var (labelKey, value) in labels)
        {
            blob.Text(labelKey);
            blob.Text(value);
        }
        blob.U16(endpoints.Count);
        var addressesSeen = new HashSet<IPAddress>();
        var labelsSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (address, label) in endpoints)
        {
            bool firstOfAddress = addressesSeen.Add(address);
            bool firstOfLabel = labelsSeen.Add(label);
            blob.U8((byte)((firstOfAddress ? ClusterService.EndpointFirstOfAddress : 0) | (firstOfLabel ? ClusterService.EndpointFirstOfLabel : 0)));
            blob.Address(address);
            blob.ShortBytes(Ascii(label));
        }
        if (externals.Count > 0)
        {
            blob.U8((byte)externals.Count);
            foreach (var (kind, value) in externals)
            {
                blob.U8(kind);
                blob.ShortBytes(value);
            }
        }
        return blob.ToArray();
    }

    /// <summary>
    /// The external section: addresses, then load balancer hostnames (lower-case wire; one that is not a DNS name
    /// is left out), at most 255 entries. Most Services have none and get no section at all.
    /// </summary>
    private static List<(byte Kind, byte[] Value)> ExternalEntries(ServiceObject service)
    {
        var entries = new List<(byte, byte[])>();
        foreach (var address in service.ExternalIPs)
        {
            entries.Add((ServiceRecordLayout.ExternalAddress, address.GetAddressBytes()));
        }
        foreach (var hostname in service.IngressHostnames)
        {
            if (DnsName.TryParse(hostname.TrimEnd('.') + ".", out var parsed, out _) && parsed.Wire.Length > 1)
            {
                entries.Add((ServiceRecordLayout.ExternalHostname, parsed.ToLower().Wire.ToArray()));
            }
        }
        if (entries.Count > byte.MaxValue)
        {
            entries.RemoveRange(byte.MaxValue, entries.Count - byte.MaxValue);
        }
        return entries;
    }

    /// <summary>Names, protocols and labels are ASCII (DNS-1123) by the time they are stored; at most a label's bytes.</summary>
    private static byte[] Ascii(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        return bytes.Length <= byte.MaxValue ? bytes : bytes[..byte.MaxValue];
    }

    /// <summary>
    /// Distinct (label, address) pairs of the ready endpoints (every endpoint with publishNotReadyAddresses)
    /// and distinct named ports, from every slice in order; an address may appear in several slices.
    /// </summary>
    private void MergeEndpoints(ServiceObject service, IReadOnlyList<EndpointSliceObject> slices,
        List<(IPAddress Address, string Label)> endpoints, List<(string Name, string Protocol, int Number)> ports)
    {
        var seen = new HashSet<(string, IPAddress)>();
        foreach (var slice in slices)
        {
            foreach (var port in slice.Ports)
            {
                if (!string.IsNullOrEmpty(port.Name) && !ports.Contains((port.Name, port.Protocol, port.Port)))
                {
                    ports.Add((port.Name, port.Protocol, port.Port));
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
                    string label = EndpointLabel(endpoint, address).ToLowerInvariant();
                    if (IsLabel(label) && seen.Add((label, address)))
                    {
                        endpoints.Add((address, label));
                    }
                }
            }
        }
        // The Service name has an SRV record per endpoint and port: keep their count within a u16 (and a message).
        int limit = ushort.MaxValue / Math.Max(ports.Count, 1);
        if (endpoints.Count > limit)
        {
            endpoints.RemoveRange(limit, endpoints.Count - limit);
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

    /// <summary>The Service a record was composed from, as far as DNS needs it (the builder's store).</summary>
    public static ServiceObject Decode(ClusterService record)
    {
        var ips = new List<IPAddress>(record.IpCount);
        foreach (var ip in record.Ips)
        {
            ips.Add(new IPAddress(ip));
        }
        var ports = new List<ServicePort>();
        if (!record.IsHeadless)
        {
            foreach (var port in record.Ports)
            {
                ports.Add(new ServicePort(port.Name.Length > 0 ? Encoding.ASCII.GetString(port.Name) : null,
                    Encoding.ASCII.GetString(port.Protocol).ToUpperInvariant(), port.Number));
            }
        }
        var external = record.ExternalName;
        var labels = record.Labels().ToArray();
        var externalIPs = new List<IPAddress>();
        var hostnames = new List<string>();
        foreach (var entry in record.Externals)
        {
            if (entry.IsAddress)
            {
                externalIPs.Add(new IPAddress(entry.Value));
            }
            else
            {
                hostnames.Add(DnsName.FromWire(entry.Value).ToString().TrimEnd('.'));
            }
        }
        return new ServiceObject
        {
            Name = Encoding.ASCII.GetString(record.NameLabel),
            Namespace = Encoding.ASCII.GetString(record.NamespaceLabel),
            Type = TypeName(record.Type),
            IsHeadless = record.IsHeadless,
            ClusterIPs = ips,
            ExternalName = external.IsEmpty ? null : DnsName.FromWire(external).ToString().TrimEnd('.'),
            ExternalIPs = externalIPs.Count == 0 ? [] : externalIPs.ToArray(),
            IngressHostnames = hostnames.Count == 0 ? [] : hostnames.ToArray(),
            Ports = ports,
            PublishNotReadyAddresses = (record.Flags & ClusterService.FlagPublishNotReady) != 0,
            HasSelector = (record.Flags & ClusterService.FlagHasSelector) != 0,
            Labels = labels.Length == 0 ? EmptyLabels.Instance : labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
        };
    }

    private static byte TypeCode(string type) => type switch
    {
        "ExternalName" => ClusterService.TypeExternalName,
        "NodePort" => ClusterService.TypeNodePort,
        "LoadBalancer" => ClusterService.TypeLoadBalancer,
        _ => ClusterService.TypeClusterIP,
    };

    private static string TypeName(byte code) => code switch
    {
        ClusterService.TypeExternalName => "ExternalName",
        ClusterService.TypeNodePort => "NodePort",
        ClusterService.TypeLoadBalancer => "LoadBalancer",
        _ => "ClusterIP",
    };
}
