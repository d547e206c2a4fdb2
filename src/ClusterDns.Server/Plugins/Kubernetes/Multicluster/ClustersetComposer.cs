using System.Net;
using System.Text;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Names;
using ClusterDns.Server.Plugins.Kubernetes.Options;

namespace ClusterDns.Server.Plugins.Kubernetes.Multicluster;

/// <summary>
/// A ServiceImport and the EndpointSlices labelled with its name → <see cref="ClustersetService"/>, as CoreDNS's
/// <c>findMultiClusterServices</c> reads them: a ClusterSetIP import answers its <c>spec.ips</c> and the named
/// ports of <c>spec.ports</c>; a headless one the ready addresses of every slice, each named
/// <c>hostname.clusterid</c> (hostname, else the pod name with <c>endpoint_pod_names</c>, else the dashed IP;
/// cluster id from <c>multicluster.kubernetes.io/source-cluster</c>), and the slices' named ports.
/// </summary>
internal static class ClustersetComposer
{
    public static ClustersetService Compose(ServiceImportObject import, IEnumerable<EndpointSliceObject> slices, KubernetesOptions options)
    {
        var ports = new List<ClustersetPort>();
        if (!import.IsHeadless)
        {
            foreach (var port in import.Ports)
            {
                AddPort(ports, port);
            }
            return new ClustersetService
            {
                IsHeadless = false,
                Ips = import.Ips.Take(byte.MaxValue).Select(ip => ip.GetAddressBytes()).ToArray(),
                Ports = ports.ToArray(),
                Endpoints = [],
            };
        }

        var endpoints = new List<ClustersetEndpoint>();
        if (!options.NoEndpoints)
        {
            var seen = new HashSet<(string, IPAddress)>();
            var addresses = new HashSet<IPAddress>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            // Slices in a stable order, so that answers do not depend on the order the watch delivered them in.
            foreach (var slice in slices.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                foreach (var port in slice.Ports)
                {
                    AddPort(ports, port);
                }
                string? cluster = IsLabel(slice.SourceCluster) ? slice.SourceCluster!.ToLowerInvariant() : null;
                foreach (var endpoint in slice.Endpoints)
                {
                    if (!endpoint.Ready)
                    {
                        continue;
                    }
                    foreach (var address in endpoint.Addresses)
                    {
                        string host = HostLabel(endpoint, address, options).ToLowerInvariant();
                        byte[] nameWire = cluster is not null && IsLabel(host) ? Labels(host, cluster) : [];
                        string nameKey = nameWire.Length == 0 ? "" : host + "." + cluster;
                        if (!seen.Add((nameKey, address)))
                        {
                            continue;
                        }
                        endpoints.Add(new ClustersetEndpoint(address.GetAddressBytes(), nameWire, addresses.Add(address),
                            nameWire.Length > 0 && names.Add(nameKey)));
                    }
                }
            }
        }
        return new ClustersetService { IsHeadless = true, Ips = [], Ports = ports.ToArray(), Endpoints = endpoints.ToArray() };
    }

    private static void AddPort(List<ClustersetPort> ports, ServicePort port)
    {
        if (string.IsNullOrEmpty(port.Name) || port.Name.Length > WireName.MaxLabelLength)
        {
            return; // unnamed ports have no SRV record (KEP-1645 §2.3.2)
        }
        var name = Encoding.ASCII.GetBytes(port.Name.ToLowerInvariant());
        var protocol = Encoding.ASCII.GetBytes(port.Protocol.ToLowerInvariant());
        foreach (var existing in ports)
        {
            if (existing.Number == port.Port && existing.Name.AsSpan().SequenceEqual(name) && existing.Protocol.AsSpan().SequenceEqual(protocol))
            {
                return;
            }
        }
        bool repeats = ports.Exists(p => p.Number == port.Port);
        ports.Add(new ClustersetPort(name, protocol, (ushort)port.Port, repeats));
    }

    private static string HostLabel(EndpointObject endpoint, IPAddress address, KubernetesOptions options)
    {
        if (!string.IsNullOrEmpty(endpoint.Hostname))
        {
            return endpoint.Hostname;
        }
        if (options.EndpointPodNames && endpoint.TargetPodName is { Length: > 0 and < 64 } pod)
        {
            return pod;
        }
        return ClusterNames.DashedIp(address);
    }

    private static bool IsLabel(string? text) =>
        text is { Length: > 0 and <= WireName.MaxLabelLength } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static byte[] Labels(string first, string second)
    {
        var wire = new byte[2 + first.Length + second.Length];
        wire[0] = (byte)first.Length;
        Encoding.ASCII.GetBytes(first, wire.AsSpan(1));
        wire[1 + first.Length] = (byte)second.Length;
        Encoding.ASCII.GetBytes(second, wire.AsSpan(2 + first.Length));
        return wire;
    }
}
