using System.Net;
using System.Text;
using ClusterDns.Kubernetes;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// An EndpointSlice as the zone builder keeps it between changes: one byte array with what DNS reads
/// (service, address type, ports, and per endpoint its addresses, readiness, hostname, pod and node), instead
/// of the object graph the converter produced (a list, objects and strings per endpoint). Decoded again only
/// when its Service's record is composed.
/// </summary>
public static class StoredSlice
{
    public static byte[] Encode(EndpointSliceObject slice)
    {
        using var stream = new MemoryStream(64);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            WriteOptional(writer, slice.ServiceName);
            writer.Write(slice.AddressType);
            writer.Write7BitEncodedInt(slice.Ports.Count);
            foreach (var port in slice.Ports)
            {
                WriteOptional(writer, port.Name);
                writer.Write(port.Protocol);
                writer.Write7BitEncodedInt(port.Port);
            }
            writer.Write7BitEncodedInt(slice.Endpoints.Count);
            foreach (var endpoint in slice.Endpoints)
            {
                writer.Write(endpoint.Ready);
                writer.Write7BitEncodedInt(endpoint.Addresses.Count);
                foreach (var address in endpoint.Addresses)
                {
                    var bytes = address.GetAddressBytes();
                    writer.Write((byte)bytes.Length);
                    writer.Write(bytes);
                }
                WriteOptional(writer, endpoint.Hostname);
                WriteOptional(writer, endpoint.TargetPodName);
                WriteOptional(writer, endpoint.NodeName);
            }
        }
        return stream.ToArray();
    }

    /// <summary>The name of the Service a stored slice belongs to (its first field).</summary>
    public static string? ServiceName(byte[] stored)
    {
        using var reader = new BinaryReader(new MemoryStream(stored, writable: false), Encoding.UTF8);
        return ReadOptional(reader);
    }

    /// <summary>The slice stored under "namespace/name".</summary>
    public static EndpointSliceObject Decode(string key, byte[] stored)
    {
        int slash = key.IndexOf('/');
        using var reader = new BinaryReader(new MemoryStream(stored, writable: false), Encoding.UTF8);
        string? serviceName = ReadOptional(reader);
        string addressType = reader.ReadString();
        var ports = new ServicePort[reader.Read7BitEncodedInt()];
        for (int i = 0; i < ports.Length; i++)
        {
            ports[i] = new ServicePort(ReadOptional(reader), reader.ReadString(), reader.Read7BitEncodedInt());
        }
        var endpoints = new EndpointObject[reader.Read7BitEncodedInt()];
        for (int i = 0; i < endpoints.Length; i++)
        {
            bool ready = reader.ReadBoolean();
            var addresses = new IPAddress[reader.Read7BitEncodedInt()];
            for (int a = 0; a < addresses.Length; a++)
            {
                addresses[a] = new IPAddress(reader.ReadBytes(reader.ReadByte()));
            }
            endpoints[i] = new EndpointObject
            {
                Ready = ready,
                Addresses = addresses,
                Hostname = ReadOptional(reader),
                TargetPodName = ReadOptional(reader),
                NodeName = ReadOptional(reader),
            };
        }
        return new EndpointSliceObject
        {
            Namespace = key[..slash],
            Name = key[(slash + 1)..],
            ServiceName = serviceName,
            AddressType = addressType,
            Ports = ports,
            Endpoints = endpoints,
        };
    }

    private static void WriteOptional(BinaryWriter writer, string? text)
    {
        writer.Write(text is not null);
        if (text is not null)
        {
            writer.Write(text);
        }
    }

    private static string? ReadOptional(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}
