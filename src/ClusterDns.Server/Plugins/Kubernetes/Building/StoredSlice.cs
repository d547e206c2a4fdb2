using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Binary;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// An EndpointSlice as the zone builder keeps it between changes: one byte array with what DNS reads
/// (service, address type, ports, and per endpoint its addresses, readiness, hostname, pod and node), instead
/// of the object graph the converter produced (a list, objects and strings per endpoint). Decoded again only
/// when its Service's record is composed. The state file stores slices in the same layout
/// (<see cref="BlobWriter"/>'s convention):
/// <code>
/// [service name: optional text] [address type: text]
/// [port count u16]     per port: [name: optional text] [protocol: text] [port u16]
/// [endpoint count u32] per endpoint: [ready u8] [address count u16] [address: u8 length, bytes]…
///                                    [hostname, pod name, node name: optional text each]
/// </code>
/// </summary>
public static class StoredSlice
{
    public static byte[] Encode(EndpointSliceObject slice)
    {
        var writer = new BlobWriter(64);
        Write(writer, slice);
        return writer.ToArray();
    }

    public static void Write(BlobWriter writer, EndpointSliceObject slice)
    {
        writer.OptionalText(slice.ServiceName);
        writer.Text(slice.AddressType);
        WritePorts(writer, slice.Ports);
        writer.Count(slice.Endpoints.Count);
        foreach (var endpoint in slice.Endpoints)
        {
            writer.Bool(endpoint.Ready);
            writer.Addresses(endpoint.Addresses);
            writer.OptionalText(endpoint.Hostname);
            writer.OptionalText(endpoint.TargetPodName);
            writer.OptionalText(endpoint.NodeName);
        }
    }

    /// <summary>The name of the Service a stored slice belongs to (its first field).</summary>
    public static string? ServiceName(byte[] stored) => new BlobReader(stored).OptionalText();

    /// <summary>The slice stored under "namespace/name".</summary>
    public static EndpointSliceObject Decode(string key, byte[] stored)
    {
        int slash = key.IndexOf('/');
        var reader = new BlobReader(stored);
        return Read(ref reader, key[..slash], key[(slash + 1)..]);
    }

    public static EndpointSliceObject Read(ref BlobReader reader, string ns, string name)
    {
        string? serviceName = reader.OptionalText();
        string addressType = reader.Text();
        var ports = ReadPorts(ref reader);
        var endpoints = new EndpointObject[reader.Count(minimumItemSize: 6)];
        for (int i = 0; i < endpoints.Length; i++)
        {
            bool ready = reader.Bool();
            var addresses = reader.Addresses();
            endpoints[i] = new EndpointObject
            {
                Ready = ready,
                Addresses = addresses,
                Hostname = reader.OptionalText(),
                TargetPodName = reader.OptionalText(),
                NodeName = reader.OptionalText(),
            };
        }
        return new EndpointSliceObject
        {
            Namespace = ns,
            Name = name,
            ServiceName = serviceName,
            AddressType = addressType,
            Ports = ports,
            Endpoints = endpoints,
        };
    }

    /// <summary>Ports as slices and Services both store them: [count u16] per port [name: optional text] [protocol: text] [port u16].</summary>
    public static void WritePorts(BlobWriter writer, IReadOnlyList<ServicePort> ports)
    {
        writer.U16(ports.Count);
        foreach (var port in ports)
        {
            writer.OptionalText(port.Name);
            writer.Text(port.Protocol);
            writer.U16(port.Port);
        }
    }

    public static ServicePort[] ReadPorts(ref BlobReader reader)
    {
        var ports = new ServicePort[reader.U16()];
        for (int i = 0; i < ports.Length; i++)
        {
            ports[i] = new ServicePort(reader.OptionalText(), reader.Text(), reader.U16());
        }
        return ports;
    }
}
