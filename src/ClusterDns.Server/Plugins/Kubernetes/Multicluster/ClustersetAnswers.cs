using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Multicluster;

/// <summary>
/// The names of one ServiceImport below <c>svc.zone</c> of a multicluster zone (KEP-1645's DNS specification),
/// written straight into the message without allocating:
/// <code>
/// svc.ns.svc.zone                  A/AAAA: the clusterset IPs, or every ready endpoint of every cluster (headless);
///                                  SRV per named port (and endpoint), as CoreDNS answers at the Service name
/// _port._proto.svc.ns.svc.zone     SRV to svc.ns.svc.zone, or to each hostname.clusterid.svc.ns.svc.zone
/// _proto.svc.ns.svc.zone           exists (no records) while a named port has that protocol
/// hostname.clusterid.svc.ns…       A/AAAA of that cluster's endpoint (headless only)
/// clusterid.svc.ns.svc.zone        exists (no records) above such names (RFC 8020; CoreDNS says NXDOMAIN)
/// </code>
/// A ClusterSetIP import has no per-cluster names (§2.3.4).
/// </summary>
internal static class ClustersetAnswers
{
    private const ushort ClassIn = ServiceRecords.ClassIn;

    public static ServiceAnswer Write(ref MessageWriter writer, ClustersetService? service, ReadOnlySpan<byte> name, int serviceName,
        RecordType type, uint ttl, bool atQuestion)
    {
        if (service is null || !service.Answers)
        {
            return ServiceAnswer.Missing;
        }
        var prefix = name[..serviceName];
        var owner = new ServiceRecords.Owner(name, atQuestion);
        var serviceWire = name[serviceName..];
        if (prefix.IsEmpty)
        {
            return WriteServiceName(ref writer, service, owner, serviceWire, type, ttl);
        }
        var first = prefix.Slice(1, prefix[0]);
        var rest = prefix[(1 + first.Length)..];
        if (rest.IsEmpty)
        {
            if (first[0] == (byte)'_')
            {
                return HasProtocol(service, first[1..]) ? ServiceAnswer.NoData : ServiceAnswer.Missing;
            }
            return service.IsHeadless && HasCluster(service, first) ? ServiceAnswer.NoData : ServiceAnswer.Missing;
        }
        var second = rest.Slice(1, rest[0]);
        if (rest.Length != 1 + second.Length)
        {
            return ServiceAnswer.Missing;
        }
        if (first[0] == (byte)'_' && second[0] == (byte)'_')
        {
            return WritePortName(ref writer, service, first[1..], second[1..], owner, serviceWire, type, ttl);
        }
        return service.IsHeadless ? WriteEndpointName(ref writer, service, prefix, owner, type, ttl) : ServiceAnswer.Missing;
    }

    private static ServiceAnswer WriteServiceName(ref MessageWriter writer, ClustersetService service, ServiceRecords.Owner owner,
        ReadOnlySpan<byte> serviceWire, RecordType type, uint ttl)
    {
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
            complete = WriteSrv(ref writer, service, owner, default, default, serviceWire, ttl, ref written);
            if (complete && written > before && type == RecordType.SRV)
            {
                WriteTargetAddresses(ref writer, service, serviceWire, ttl);
            }
        }
        return !complete ? ServiceAnswer.Truncated : written > 0 ? ServiceAnswer.Written : ServiceAnswer.NoData;
    }

    private static bool WriteAddresses(ref MessageWriter writer, ClustersetService service, ServiceRecords.Owner owner, int length, uint ttl, ref int written)
    {
        var type = length == 4 ? RecordType.A : RecordType.AAAA;
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

    /// <summary>
    /// SRV per matching named port (every port when <paramref name="portName"/> is empty): to the Service name
    /// (ClusterSetIP) or to each named endpoint (headless), CoreDNS's weights (100 shared by the records).
    /// </summary>
    private static bool WriteSrv(ref MessageWriter writer, ClustersetService service, ServiceRecords.Owner owner, ReadOnlySpan<byte> portName,
        ReadOnlySpan<byte> protocol, ReadOnlySpan<byte> serviceWire, uint ttl, ref int written)
    {
        bool all = portName.IsEmpty;
        int matching = 0;
        foreach (var port in service.Ports)
        {
            if (Matches(port, portName, protocol, all))
            {
                matching++;
            }
        }
        int named = 0;
        foreach (var endpoint in service.Endpoints)
        {
            named += endpoint.FirstOfName ? 1 : 0;
        }
        ushort weight = ServiceRecords.SrvWeight(service.IsHeadless ? (all ? named * matching : named) : (all ? matching : 1));
        foreach (var port in service.Ports)
        {
            if (!Matches(port, portName, protocol, all))
            {
                continue;
            }
            if (!service.IsHeadless)
            {
                if (!ServiceRecords.TryWriteSrv(ref writer, owner, ttl, weight, port.Number, default, serviceWire, MessageSection.Answer))
                {
                    return false;
                }
                written++;
                continue;
            }
            foreach (var endpoint in service.Endpoints)
            {
                if (!endpoint.FirstOfName)
                {
                    continue;
                }
                if (!ServiceRecords.TryWriteSrv(ref writer, owner, ttl, weight, port.Number, endpoint.NameWire, serviceWire, MessageSection.Answer))
                {
                    return false;
                }
                written++;
            }
        }
        return true;
    }

    private static bool Matches(ClustersetPort port, ReadOnlySpan<byte> portName, ReadOnlySpan<byte> protocol, bool all) =>
        all ? !port.RepeatsNumber : port.Name.AsSpan().SequenceEqual(portName) && port.Protocol.AsSpan().SequenceEqual(protocol);

    private static ServiceAnswer WritePortName(ref MessageWriter writer, ClustersetService service, ReadOnlySpan<byte> portName,
        ReadOnlySpan<byte> protocol, ServiceRecords.Owner owner, ReadOnlySpan<byte> serviceWire, RecordType type, uint ttl)
    {
        bool exists = false;
        foreach (var port in service.Ports)
        {
            exists |= Matches(port, portName, protocol, all: false);
        }
        if (!exists)
        {
            return ServiceAnswer.Missing;
        }
        if (type is not (RecordType.SRV or RecordType.ANY))
        {
            return ServiceAnswer.NoData;
        }
        int written = 0;
        if (!WriteSrv(ref writer, service, owner, portName, protocol, serviceWire, ttl, ref written))
        {
            return ServiceAnswer.Truncated;
        }
        if (written > 0 && type == RecordType.SRV)
        {
            WriteTargetAddresses(ref writer, service, serviceWire, ttl);
        }
        return written > 0 ? ServiceAnswer.Written : ServiceAnswer.NoData;
    }

    private static ServiceAnswer WriteEndpointName(ref MessageWriter writer, ClustersetService service, ReadOnlySpan<byte> nameWire,
        ServiceRecords.Owner owner, RecordType type, uint ttl)
    {
        bool exists = false;
        int written = 0;
        foreach (var endpoint in service.Endpoints)
        {
            if (!endpoint.NameWire.AsSpan().SequenceEqual(nameWire))
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

    private static bool HasProtocol(ClustersetService service, ReadOnlySpan<byte> protocol)
    {
        foreach (var port in service.Ports)
        {
            if (port.Protocol.AsSpan().SequenceEqual(protocol))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Some named endpoint is <c>…​.label</c>: <c>label.svc.ns.svc.zone</c> is an empty non-terminal.</summary>
    private static bool HasCluster(ClustersetService service, ReadOnlySpan<byte> label)
    {
        foreach (var endpoint in service.Endpoints)
        {
            if (endpoint.NameWire.Length > 0 && endpoint.NameWire.AsSpan(1 + endpoint.NameWire[0] + 1).SequenceEqual(label))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The SRV targets' addresses in additional, as far as they fit (no TC for these): the clusterset IPs, or
    /// each endpoint name's addresses, a name's whole set or nothing.
    /// </summary>
    private static void WriteTargetAddresses(ref MessageWriter writer, ClustersetService service, ReadOnlySpan<byte> serviceWire, uint ttl)
    {
        if (!service.IsHeadless)
        {
            var mark = writer.Mark();
            foreach (var ip in service.Ips)
            {
                if (!writer.TryWriteRecord(serviceWire, ip.Length == 4 ? RecordType.A : RecordType.AAAA, ClassIn, ttl, ip, MessageSection.Additional))
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
            if (!endpoint.FirstOfName || endpoint.NameWire.Length + serviceWire.Length > WireName.MaxLength)
            {
                continue;
            }
            endpoint.NameWire.CopyTo(target);
            serviceWire.CopyTo(target[endpoint.NameWire.Length..]);
            var owner = target[..(endpoint.NameWire.Length + serviceWire.Length)];
            var mark = writer.Mark();
            for (int length = 4; length <= 16; length += 12)
            {
                foreach (var other in service.Endpoints)
                {
                    if (other.Address.Length == length && other.NameWire.AsSpan().SequenceEqual(endpoint.NameWire)
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
