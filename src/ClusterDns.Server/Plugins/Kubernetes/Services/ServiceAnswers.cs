using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;

namespace ClusterDns.Server.Plugins.Kubernetes.Services;

/// <summary>What writing the records of a Service's name came to.</summary>
internal enum ServiceAnswer
{
    /// <summary>The name does not exist.</summary>
    Missing,
    /// <summary>The name exists without records of the type asked for.</summary>
    NoData,
    Written,
    /// <summary>Not every record fitted: those that did are written.</summary>
    Truncated,
    /// <summary>An ExternalName: its CNAME is written; the target is <see cref="ClusterService.ExternalName"/>.</summary>
    Cname,
}

/// <summary>
/// The names of one Service, below <c>svc.zone</c>, answered from its <see cref="ClusterService"/> record
/// (specification 1.1.0 §2.3–2.4, with CoreDNS's SRV records at the Service name):
/// <code>
/// svc.ns.svc.zone              A/AAAA: cluster IPs, or a headless Service's endpoints; SRV per named port
///                              (and endpoint); CNAME for ExternalName
/// _port._proto.svc.ns.svc.zone SRV to the Service name, or to each endpoint's name
/// _proto.svc.ns.svc.zone       exists (no records) while a named port has that protocol
/// label.svc.ns.svc.zone        A/AAAA of the headless endpoints under that label
/// </code>
/// Records are written straight into the message, owners as pointers where they are the question: no
/// allocation. SRV targets are written whole (RFC 2782: no compression there).
/// </summary>
internal static class ServiceAnswers
{
    private const ushort ClassIn = ServiceRecords.ClassIn;

    /// <summary>
    /// Finds the Service a name below <c>svc.zone</c> belongs to: <paramref name="serviceName"/> is the offset
    /// in <paramref name="name"/> of <c>svc.ns.svc.zone</c>. False when the name is not shaped as one (the
    /// index holds such names) or names nothing that could exist.
    /// </summary>
    public static bool TryLocate(ReadOnlySpan<byte> name, int zoneStart, out int serviceName, out int keyLength)
    {
        serviceName = keyLength = 0;
        int count = 0, last = -1, secondLast = -1, thirdLast = -1;
        for (int offset = 0; offset < zoneStart; offset += name[offset] + 1)
        {
            thirdLast = secondLast;
            secondLast = last;
            last = offset;
            count++;
        }
        if (count < 3 || name[last] != 3 || !name.Slice(last + 1, 3).SequenceEqual("svc"u8))
        {
            return false;
        }
        serviceName = thirdLast;
        keyLength = last - thirdLast;
        return true;
    }

    /// <summary>
    /// Writes the answer to <paramref name="type"/> at <paramref name="name"/> (whose Service name starts at
    /// <paramref name="serviceName"/>). Owners are the question (a pointer) when <paramref name="atQuestion"/>,
    /// else <paramref name="name"/> itself (a CNAME target).
    /// </summary>
    public static ServiceAnswer Write(ref MessageWriter writer, ClusterService service, ReadOnlySpan<byte> name, int serviceName,
        RecordType type, uint ttl, bool atQuestion)
    {
        if (service.IsNull || !service.Answers)
        {
            return ServiceAnswer.Missing;
        }
        var prefix = name[..serviceName];
        var owner = new ServiceRecords.Owner(name, atQuestion);
        if (prefix.IsEmpty)
        {
            return WriteServiceName(ref writer, service, owner, type, ttl);
        }
        if (service.IsExternalName)
        {
            return ServiceAnswer.Missing;
        }
        var first = prefix.Slice(1, prefix[0]);
        var rest = prefix[(1 + first.Length)..];
        if (rest.IsEmpty)
        {
            if (first[0] == (byte)'_')
            {
                return HasProtocol(service, first[1..]) ? ServiceAnswer.NoData : ServiceAnswer.Missing;
            }
            return service.IsHeadless ? WriteEndpointName(ref writer, service, first, owner, type, ttl) : ServiceAnswer.Missing;
        }
        var second = rest.Slice(1, rest[0]);
        if (rest.Length != 1 + second.Length || first[0] != (byte)'_' || second[0] != (byte)'_')
        {
            return ServiceAnswer.Missing;
        }
        return WritePortName(ref writer, service, first[1..], second[1..], owner, name[serviceName..], type, ttl);
    }

    private static ServiceAnswer WriteServiceName(ref MessageWriter writer, ClusterService service, ServiceRecords.Owner owner, RecordType type, uint ttl)
    {
        if (service.IsExternalName)
        {
            return ServiceRecords.TryWriteRecord(ref writer, owner, RecordType.CNAME, ttl, service.ExternalName, MessageSection.Answer)
                ? ServiceAnswer.Cname
                : ServiceAnswer.Truncated;
        }
        int written = 0;
        bool complete = true;
        if (type is RecordType.A or RecordType.ANY)
        {
            complete = WriteAddresses(ref writer, service, owner, 4, ttl, ref written);
        }
        if (complete && type is RecordType.AAAA or RecordType.ANY)
        {
            complete = WriteAddresses(ref writer, service, owner, 16, ttl, ref written);
        }
        if (complete && type is RecordType.SRV or RecordType.ANY)
        {
            int before = written;
            complete = WriteServiceSrv(ref writer, service, owner, ttl, ref written);
            if (complete && written > before && type == RecordType.SRV)
            {
                WriteTargetAddresses(ref writer, service, owner.Name, ttl);
            }
        }
        return !complete ? ServiceAnswer.Truncated : written > 0 ? ServiceAnswer.Written : ServiceAnswer.NoData;
    }

    /// <summary>The Service name's addresses of one family: cluster IPs, or each distinct endpoint address.</summary>
    private static bool WriteAddresses(ref MessageWriter writer, ClusterService service, ServiceRecords.Owner owner, int length, uint ttl, ref int written)
    {
        var type = length == 4 ? RecordType.A : RecordType.AAAA;
        if (!service.IsHeadless)
        {
            foreach (var ip in service.Ips)
            {
                if (ip.Length == length)
                {
                    if (!ServiceRecords.TryWriteRecord(ref writer, owner, type, ttl, ip, MessageSection.Answer))
                    {
                        return false;
                    }
                    written++;
                }
            }
            return true;
        }
        foreach (var endpoint in service.Endpoints)
        {
            if (endpoint.FirstOfAddress && endpoint.Address.Length == length)
            {
                if (!ServiceRecords.TryWriteRecord(ref writer, owner, type, ttl, endpoint.Address, MessageSection.Answer))
                {
                    return false;
                }
                written++;
            }
        }
        return true;
    }

    /// <summary>SRV at the Service name: per named port to the Service (ClusterIP), per endpoint and port (headless).</summary>
    private static bool WriteServiceSrv(ref MessageWriter writer, ClusterService service, ServiceRecords.Owner owner, uint ttl, ref int written)
    {
        var ports = service.Ports;
        if (!service.IsHeadless)
        {
            ushort weight = ServiceRecords.SrvWeight(ports.Count);
            foreach (var port in ports)
            {
                if (port.RepeatsNumber)
                {
                    continue;
                }
                if (!ServiceRecords.TryWriteSrv(ref writer, owner, ttl, weight, port.Number, default, owner.Name, MessageSection.Answer))
                {
                    return false;
                }
                written++;
            }
            return true;
        }
        ushort endpointWeight = ServiceRecords.SrvWeight(service.Endpoints.Count * ports.Count);
        foreach (var endpoint in service.Endpoints)
        {
            if (!endpoint.FirstOfLabel)
            {
                continue;
            }
            foreach (var port in ports)
            {
                if (port.RepeatsNumber)
                {
                    continue;
                }
                if (!ServiceRecords.TryWriteSrv(ref writer, owner, ttl, endpointWeight, port.Number, endpoint.LabelWire, owner.Name, MessageSection.Answer))
                {
                    return false;
                }
                written++;
            }
        }
        return true;
    }

    private static ServiceAnswer WriteEndpointName(ref MessageWriter writer, ClusterService service, ReadOnlySpan<byte> label, ServiceRecords.Owner owner, RecordType type, uint ttl)
    {
        bool exists = false;
        int written = 0;
        foreach (var endpoint in service.Endpoints)
        {
            if (!endpoint.Label.SequenceEqual(label))
            {
                continue;
            }
            exists = true;
            var addressType = endpoint.Address.Length == 4 ? RecordType.A : RecordType.AAAA;
            if (type != addressType && type != RecordType.ANY)
            {
                continue;
            }
            if (!ServiceRecords.TryWriteRecord(ref writer, owner, addressType, ttl, endpoint.Address, MessageSection.Answer))
            {
                return ServiceAnswer.Truncated;
            }
            written++;
        }
        return !exists ? ServiceAnswer.Missing : written > 0 ? ServiceAnswer.Written : ServiceAnswer.NoData;
    }

    private static bool HasProtocol(ClusterService service, ReadOnlySpan<byte> protocol)
    {
        foreach (var port in service.Ports)
        {
            if (port.HasSrvName && port.Protocol.SequenceEqual(protocol))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary><c>_port._proto.svc…</c>: SRV to the Service name (ClusterIP) or to each endpoint's name (headless).</summary>
    private static ServiceAnswer WritePortName(ref MessageWriter writer, ClusterService service, ReadOnlySpan<byte> portName,
        ReadOnlySpan<byte> protocol, ServiceRecords.Owner owner, ReadOnlySpan<byte> serviceName, RecordType type, uint ttl)
    {
        bool exists = false;
        int written = 0;
        // Only a headless Service's SRV records share the weight between endpoints (walking to them costs a scan).
        ushort endpointWeight = service.IsHeadless ? ServiceRecords.SrvWeight(service.Endpoints.Count) : (ushort)100;
        foreach (var port in service.Ports)
        {
            if (port.Name.IsEmpty || !port.Name.SequenceEqual(portName) || !port.Protocol.SequenceEqual(protocol))
            {
                continue;
            }
            exists = true;
            if (type is not (RecordType.SRV or RecordType.ANY))
            {
                continue;
            }
            if (!service.IsHeadless)
            {
                if (!ServiceRecords.TryWriteSrv(ref writer, owner, ttl, 100, port.Number, default, serviceName, MessageSection.Answer))
                {
                    return ServiceAnswer.Truncated;
                }
                written++;
                continue;
            }
            foreach (var endpoint in service.Endpoints)
            {
                if (endpoint.FirstOfLabel)
                {
                    if (!ServiceRecords.TryWriteSrv(ref writer, owner, ttl, endpointWeight, port.Number, endpoint.LabelWire, serviceName, MessageSection.Answer))
                    {
                        return ServiceAnswer.Truncated;
                    }
                    written++;
                }
            }
        }
        if (!exists)
        {
            return ServiceAnswer.Missing;
        }
        if (written > 0 && type == RecordType.SRV)
        {
            WriteTargetAddresses(ref writer, service, serviceName, ttl);
        }
        return written > 0 ? ServiceAnswer.Written : ServiceAnswer.NoData;
    }

    /// <summary>
    /// The SRV targets' addresses in additional, as far as they fit (no TC for these): the Service name's
    /// cluster IPs, or each endpoint name's addresses, a name's whole set or nothing.
    /// </summary>
    private static void WriteTargetAddresses(ref MessageWriter writer, ClusterService service, ReadOnlySpan<byte> serviceName, uint ttl)
    {
        if (!service.IsHeadless)
        {
            var mark = writer.Mark();
            foreach (var ip in service.Ips)
            {
                if (!writer.TryWriteRecord(serviceName, ip.Length == 4 ? RecordType.A : RecordType.AAAA, ClassIn, ttl, ip, MessageSection.Additional))
                {
                    writer.Rollback(mark);
                    return;
                }
            }
            return;
        }
        Span<byte> target = stackalloc byte[WireName.MaxLength];
        foreach (var endpoint in service.Endpoints)
        {
            if (!endpoint.FirstOfLabel || endpoint.LabelWire.Length + serviceName.Length > WireName.MaxLength)
            {
                continue;
            }
            endpoint.LabelWire.CopyTo(target);
            serviceName.CopyTo(target[endpoint.LabelWire.Length..]);
            var owner = target[..(endpoint.LabelWire.Length + serviceName.Length)];
            var mark = writer.Mark();
            // A records first, then AAAA, as the name's record sets would be.
            for (int length = 4; length <= 16; length += 12)
            {
                foreach (var other in service.Endpoints)
                {
                    if (other.Address.Length == length && other.Label.SequenceEqual(endpoint.Label)
                        && !writer.TryWriteRecord(owner, length == 4 ? RecordType.A : RecordType.AAAA, ClassIn, ttl, other.Address, MessageSection.Additional))
                    {
                        writer.Rollback(mark);
                        return;
                    }
                }
            }
        }
    }
}
