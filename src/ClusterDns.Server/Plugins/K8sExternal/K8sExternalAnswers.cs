using ClusterDns.Protocol;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.K8sExternal;

/// <summary>What answering a name of a Service came to.</summary>
internal enum ExternalAnswer
{
    Answered,
    NoData,
    Missing,
    /// <summary>Not every answer record fitted: those that did are written.</summary>
    Truncated,
    /// <summary>A CNAME to a load balancer's hostname is written; its target is to be followed.</summary>
    Cname,
}

/// <summary>
/// The records of <c>svc.ns.zone</c>, <c>_port._proto.svc.ns.zone</c> and (headless) <c>endpoint.svc.ns.zone</c>,
/// written from the Service's record: its external addresses (externalIPs and load balancer ingress IPs), a CNAME to
/// its load balancer's hostname when it has no address, or with <c>headless</c> a headless Service's ready
/// endpoints. Never a cluster IP.
/// </summary>
internal static class K8sExternalAnswers
{
    /// <param name="relativeLabels">Labels before the zone: 2 the Service, 3 an endpoint, 4 a port.</param>
    /// <param name="serviceOffset">Where <c>svc.ns.zone</c> starts in <paramref name="name"/>.</param>
    public static ExternalAnswer Write(ref MessageWriter writer, K8sExternalService service, ReadOnlySpan<byte> name, int relativeLabels,
        int serviceOffset, RecordType type, K8sExternalOptions options, out ReadOnlySpan<byte> cnameTarget)
    {
        cnameTarget = default;
        var serviceName = name[serviceOffset..];
        uint ttl = options.Ttl;
        if (service.Externals.Count > 0)
        {
            return relativeLabels switch
            {
                2 => AtExternalService(ref writer, service, serviceName, type, ttl, out cnameTarget),
                4 => AtPort(ref writer, service, name, serviceName, type, ttl, headless: false),
                // CoreDNS answers any endpoint-shaped name with the Service's addresses; such a name does not exist.
                _ => ExternalAnswer.Missing,
            };
        }
        if (!options.Headless || !service.IsHeadless || service.Endpoints.Count == 0)
        {
            return ExternalAnswer.Missing;
        }
        return relativeLabels switch
        {
            2 => AtHeadlessService(ref writer, service, serviceName, type, ttl),
            3 => AtEndpoint(ref writer, service, name, serviceName, type, ttl),
            _ => AtPort(ref writer, service, name, serviceName, type, ttl, headless: true),
        };
    }

    private static ExternalAnswer AtExternalService(ref MessageWriter writer, K8sExternalService service, ReadOnlySpan<byte> serviceName,
        RecordType type, uint ttl, out ReadOnlySpan<byte> cnameTarget)
    {
        cnameTarget = default;
        var hostname = FirstHostname(service, out bool hasAddress);
        if (!hasAddress)
        {
            // Only a load balancer's name: the Service name is its alias, for every type (RFC 1034 3.6.2).
            if (!K8sExternalRecords.TryWriteAtQuestion(ref writer, RecordType.CNAME, ttl, hostname))
            {
                return ExternalAnswer.Truncated;
            }
            if (type is RecordType.CNAME or RecordType.ANY)
            {
                return ExternalAnswer.Answered;
            }
            cnameTarget = hostname;
            return ExternalAnswer.Cname;
        }
        switch (type)
        {
            case RecordType.A or RecordType.AAAA:
                int written = 0;
                int length = type == RecordType.A ? 4 : 16;
                foreach (var entry in service.Externals)
                {
                    if (entry.IsAddress && entry.Value.Length == length)
                    {
                        if (!K8sExternalRecords.TryWriteAtQuestion(ref writer, type, ttl, entry.Value))
                        {
                            return ExternalAnswer.Truncated;
                        }
                        written++;
                    }
                }
                return written > 0 ? ExternalAnswer.Answered : ExternalAnswer.NoData;
            case RecordType.SRV:
                int count = 0;
                foreach (var port in service.Ports)
                {
                    count += port.RepeatsNumber ? 0 : 1;
                }
                if (count == 0)
                {
                    return ExternalAnswer.NoData;
                }
                ushort weight = K8sExternalRecords.SrvWeight(count);
                foreach (var port in service.Ports)
                {
                    if (!port.RepeatsNumber && !K8sExternalRecords.TryWriteSrv(ref writer, ttl, weight, port.Number, default, serviceName))
                    {
                        return ExternalAnswer.Truncated;
                    }
                }
                WriteExternalAdditional(ref writer, service, serviceName, ttl);
                return ExternalAnswer.Answered;
            default:
                return ExternalAnswer.NoData;
        }
    }

    /// <summary><c>_port._proto.svc…</c>: SRV per matching named port, to the Service name (or its load balancer's name), or each endpoint's.</summary>
    private static ExternalAnswer AtPort(ref MessageWriter writer, K8sExternalService service, ReadOnlySpan<byte> name, ReadOnlySpan<byte> serviceName,
        RecordType type, uint ttl, bool headless)
    {
        var portLabel = name.Slice(1, name[0]);
        int protocolAt = 1 + name[0];
        var protocolLabel = name.Slice(protocolAt + 1, name[protocolAt]);
        if (portLabel.Length < 2 || portLabel[0] != (byte)'_' || protocolLabel.Length < 2 || protocolLabel[0] != (byte)'_')
        {
            return ExternalAnswer.Missing;
        }
        portLabel = portLabel[1..];
        protocolLabel = protocolLabel[1..];
        int matches = 0;
        foreach (var port in service.Ports)
        {
            matches += Matches(port, portLabel, protocolLabel) ? 1 : 0;
        }
        if (matches == 0)
        {
            return ExternalAnswer.Missing;
        }
        if (type != RecordType.SRV)
        {
            return ExternalAnswer.NoData;
        }
        if (headless)
        {
            return WriteEndpointSrv(ref writer, service, serviceName, portLabel, protocolLabel, default, ttl);
        }
        var hostname = FirstHostname(service, out bool hasAddress);
        // RFC 2782: the target has addresses, it is not an alias; so a load balancer's name is the target itself.
        var target = hasAddress ? serviceName : hostname;
        ushort weight = K8sExternalRecords.SrvWeight(matches);
        foreach (var port in service.Ports)
        {
            if (Matches(port, portLabel, protocolLabel) && !K8sExternalRecords.TryWriteSrv(ref writer, ttl, weight, port.Number, default, target))
            {
                return ExternalAnswer.Truncated;
            }
        }
        if (hasAddress)
        {
            WriteExternalAdditional(ref writer, service, serviceName, ttl);
        }
        return ExternalAnswer.Answered;
    }

    private static ExternalAnswer AtHeadlessService(ref MessageWriter writer, K8sExternalService service, ReadOnlySpan<byte> serviceName, RecordType type, uint ttl)
    {
        switch (type)
        {
            case RecordType.A or RecordType.AAAA:
                int written = 0;
                int length = type == RecordType.A ? 4 : 16;
                foreach (var endpoint in service.Endpoints)
                {
                    if (endpoint.FirstOfAddress && endpoint.Address.Length == length)
                    {
                        if (!K8sExternalRecords.TryWriteAtQuestion(ref writer, type, ttl, endpoint.Address))
                        {
                            return ExternalAnswer.Truncated;
                        }
                        written++;
                    }
                }
                return written > 0 ? ExternalAnswer.Answered : ExternalAnswer.NoData;
            case RecordType.SRV:
                return WriteEndpointSrv(ref writer, service, serviceName, default, default, default, ttl);
            default:
                return ExternalAnswer.NoData;
        }
    }

    /// <summary><c>endpoint.svc.ns.zone</c> of a headless Service: the addresses under that label.</summary>
    private static ExternalAnswer AtEndpoint(ref MessageWriter writer, K8sExternalService service, ReadOnlySpan<byte> name,
        ReadOnlySpan<byte> serviceName, RecordType type, uint ttl)
    {
        var label = name[..(1 + name[0])];
        bool found = false;
        int written = 0;
        foreach (var endpoint in service.Endpoints)
        {
            if (!endpoint.LabelWire.SequenceEqual(label))
            {
                continue;
            }
            found = true;
            var addressType = endpoint.Address.Length == 4 ? RecordType.A : RecordType.AAAA;
            if (type == addressType)
            {
                if (!K8sExternalRecords.TryWriteAtQuestion(ref writer, type, ttl, endpoint.Address))
                {
                    return ExternalAnswer.Truncated;
                }
                written++;
            }
        }
        if (!found)
        {
            return ExternalAnswer.Missing;
        }
        if (type == RecordType.SRV)
        {
            return WriteEndpointSrv(ref writer, service, serviceName, default, default, label, ttl);
        }
        return written > 0 ? ExternalAnswer.Answered : ExternalAnswer.NoData;
    }

    /// <summary>
    /// SRV per (endpoint label × named port), restricted to a port and protocol and to one label when given, each
    /// to <c>label.svc.ns.zone</c>; the targets' addresses in additional.
    /// </summary>
    private static ExternalAnswer WriteEndpointSrv(ref MessageWriter writer, K8sExternalService service, ReadOnlySpan<byte> serviceName,
        ReadOnlySpan<byte> portName, ReadOnlySpan<byte> protocol, ReadOnlySpan<byte> onlyLabel, uint ttl)
    {
        int ports = 0;
        foreach (var port in service.Ports)
        {
            ports += (portName.IsEmpty ? !port.RepeatsNumber : Matches(port, portName, protocol)) ? 1 : 0;
        }
        int labels = 0;
        foreach (var endpoint in service.Endpoints)
        {
            labels += endpoint.FirstOfLabel && (onlyLabel.IsEmpty || endpoint.LabelWire.SequenceEqual(onlyLabel)) ? 1 : 0;
        }
        if (ports * labels == 0)
        {
            return ExternalAnswer.NoData;
        }
        ushort weight = K8sExternalRecords.SrvWeight(ports * labels);
        foreach (var endpoint in service.Endpoints)
        {
            if (!endpoint.FirstOfLabel || (!onlyLabel.IsEmpty && !endpoint.LabelWire.SequenceEqual(onlyLabel)))
            {
                continue;
            }
            foreach (var port in service.Ports)
            {
                bool wanted = portName.IsEmpty ? !port.RepeatsNumber : Matches(port, portName, protocol);
                if (wanted && !K8sExternalRecords.TryWriteSrv(ref writer, ttl, weight, port.Number, endpoint.LabelWire, serviceName))
                {
                    return ExternalAnswer.Truncated;
                }
            }
        }
        // Additional: as far as they fit, without TC (RFC 2181 9).
        foreach (var endpoint in service.Endpoints)
        {
            if ((onlyLabel.IsEmpty || endpoint.LabelWire.SequenceEqual(onlyLabel))
                && !K8sExternalRecords.TryWriteAdditional(ref writer, endpoint.LabelWire, serviceName, endpoint.Address, ttl))
            {
                break;
            }
        }
        return ExternalAnswer.Answered;
    }

    private static void WriteExternalAdditional(ref MessageWriter writer, K8sExternalService service, ReadOnlySpan<byte> serviceName, uint ttl)
    {
        foreach (var entry in service.Externals)
        {
            if (entry.IsAddress && !K8sExternalRecords.TryWriteAdditional(ref writer, default, serviceName, entry.Value, ttl))
            {
                return;
            }
        }
    }

    private static bool Matches(ServiceRecordPort port, ReadOnlySpan<byte> name, ReadOnlySpan<byte> protocol) =>
        port.HasSrvName && port.Name.SequenceEqual(name) && port.Protocol.SequenceEqual(protocol);

    /// <summary>The first load balancer hostname (empty when none), and whether the Service has any address.</summary>
    private static ReadOnlySpan<byte> FirstHostname(K8sExternalService service, out bool hasAddress)
    {
        hasAddress = false;
        ReadOnlySpan<byte> hostname = default;
        foreach (var entry in service.Externals)
        {
            if (entry.IsAddress)
            {
                hasAddress = true;
            }
            else if (hostname.IsEmpty)
            {
                hostname = entry.Value;
            }
        }
        return hostname;
    }
}
