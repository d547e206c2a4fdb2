using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Zones;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.K8sExternal;

/// <summary>
/// CoreDNS's k8s_external: Services' external addresses under outside zones (<c>svc.ns.example.org</c>), SRV
/// for their named ports, with <c>headless</c> a headless Service's endpoints, and the zone's own SOA, NS and
/// <c>ns1.dns.example.org</c>. Reads the cluster zone through <see cref="IK8sExternalSource"/>, one snapshot per
/// query; answers are written in place, without allocating (a load balancer hostname's CNAME is followed
/// through the server's own pipeline, as CoreDNS's upstream does).
/// </summary>
internal sealed partial class K8sExternalHandler : DnsHandler
{
    private readonly K8sExternalOptions _options;
    private readonly Func<IReadOnlyList<DnsHandler>> _handlers;
    private readonly InternalResolver? _resolver;
    private readonly ILogger _logger;
    private readonly byte[][] _zoneWires;
    private readonly K8sExternalZone[] _zones;
    private IK8sExternalSource? _source;
    private volatile bool _sourceLooked;

    public K8sExternalHandler(K8sExternalOptions options, Func<IReadOnlyList<DnsHandler>> handlers, InternalResolver? resolver, ILogger logger)
    {
        _options = options;
        _handlers = handlers;
        _resolver = resolver;
        _logger = logger;
        _zones = options.Zones.Select(z => new K8sExternalZone(z, options.Apex)).ToArray();
        _zoneWires = _zones.Select(z => z.Wire).ToArray();
    }

    public override string Name => "k8s_external";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var name = context.LowerName;
        int zoneIndex = WireName.IndexOfLongestZone(name, _zoneWires);
        if (zoneIndex < 0 || (context.Query.Class != RecordClass.IN && context.Query.Class != RecordClass.ANY) || Source() is not { } source)
        {
            return NextAsync(context);
        }
        var zone = _zones[zoneIndex];
        var snapshot = source.Snapshot();
        var type = context.QuestionType;
        context.DoNotCache = true; // the cluster zone changes within milliseconds; a cache in front would hide it
        var writer = context.BeginResponse();
        int relativeLabels = WireName.CountLabels(name) - zone.LabelCount;
        if (relativeLabels == 0)
        {
            return AtApex(context, ref writer, zone, snapshot, type);
        }
        int namespaceAt = WireName.SkipLabels(name, relativeLabels - 1);
        var namespaceLabel = name.Slice(namespaceAt + 1, name[namespaceAt]);
        if (namespaceLabel.SequenceEqual(zone.ApexLabel))
        {
            return BelowApex(context, ref writer, zone, snapshot, type, relativeLabels);
        }
        if (!snapshot.IsNamespaceExposed(namespaceLabel))
        {
            return Missing(context, ref writer, zone, snapshot);
        }
        if (relativeLabels == 1)
        {
            return Negative(context, ref writer, zone, snapshot, ResponseCode.NoError);
        }
        int serviceAt = WireName.SkipLabels(name, relativeLabels - 2);
        if (relativeLabels > 4 || !snapshot.TryFindService(name.Slice(serviceAt + 1, name[serviceAt]), namespaceLabel, out var service))
        {
            return Missing(context, ref writer, zone, snapshot);
        }
        switch (K8sExternalAnswers.Write(ref writer, service, name, relativeLabels, serviceAt, type, _options, out var target))
        {
            case ExternalAnswer.Missing:
                return Missing(context, ref writer, zone, snapshot);
            case ExternalAnswer.NoData:
                return Negative(context, ref writer, zone, snapshot, ResponseCode.NoError);
            case ExternalAnswer.Truncated:
                return Complete(context, ref writer, ResponseCode.NoError, truncated: true);
            case ExternalAnswer.Cname when _resolver is not null:
                return CnameTargetChase.WriteAsync(context, writer.Mark(), _resolver!, DnsName.FromWire(target), type, Name);
            default:
                return Complete(context, ref writer, ResponseCode.NoError, truncated: false);
        }
    }

    /// <summary>The zone's apex: SOA, NS (with the name server's addresses in additional); NODATA for the rest.</summary>
    private ValueTask<HandlerResult> AtApex(DnsQueryContext context, ref MessageWriter writer, K8sExternalZone zone, K8sExternalSnapshot snapshot, RecordType type)
    {
        switch (type)
        {
            case RecordType.SOA:
                bool soa = zone.TryWriteSoa(ref writer, snapshot.Serial, _options.Ttl, atQuestion: true, MessageSection.Answer);
                return Complete(context, ref writer, ResponseCode.NoError, truncated: !soa);
            case RecordType.NS:
                if (!zone.TryWriteNs(ref writer, _options.Ttl))
                {
                    return Complete(context, ref writer, ResponseCode.NoError, truncated: true);
                }
                zone.WriteNameServerAddresses(ref writer, snapshot, RecordType.ANY, _options.Ttl, atQuestion: false, MessageSection.Additional);
                return Complete(context, ref writer, ResponseCode.NoError, truncated: false);
            default:
                return Negative(context, ref writer, zone, snapshot, ResponseCode.NoError);
        }
    }

    /// <summary>
    /// Below the <c>apex</c> label: <c>dns.zone</c> is an empty non-terminal (NODATA), <c>ns1.dns.zone</c> has the name
    /// server's addresses, anything else does not exist.
    /// </summary>
    private ValueTask<HandlerResult> BelowApex(DnsQueryContext context, ref MessageWriter writer, K8sExternalZone zone, K8sExternalSnapshot snapshot,
        RecordType type, int relativeLabels)
    {
        if (relativeLabels == 1)
        {
            return Negative(context, ref writer, zone, snapshot, ResponseCode.NoError);
        }
        if (relativeLabels != 2 || !context.LowerName.StartsWith("\x03ns1"u8))
        {
            return Negative(context, ref writer, zone, snapshot, ResponseCode.NXDomain);
        }
        if (type is not (RecordType.A or RecordType.AAAA))
        {
            return Negative(context, ref writer, zone, snapshot, ResponseCode.NoError);
        }
        int written = zone.WriteNameServerAddresses(ref writer, snapshot, type, _options.Ttl, atQuestion: true, MessageSection.Answer);
        return written switch
        {
            < 0 => Complete(context, ref writer, ResponseCode.NoError, truncated: true),
            0 => Negative(context, ref writer, zone, snapshot, ResponseCode.NoError),
            _ => Complete(context, ref writer, ResponseCode.NoError, truncated: false),
        };
    }

    /// <summary>
    /// A name that does not exist: the next handler where <c>fallthrough</c> says so; SERVFAIL before the cluster
    /// zone's first sync (not knowing yet is not knowing it is absent); else NXDOMAIN.
    /// </summary>
    private ValueTask<HandlerResult> Missing(DnsQueryContext context, ref MessageWriter writer, K8sExternalZone zone, K8sExternalSnapshot snapshot)
    {
        if (_options.FallsThrough(context.LowerName))
        {
            return NextAsync(context);
        }
        if (!snapshot.IsSynced)
        {
            return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.ServFail));
        }
        return Negative(context, ref writer, zone, snapshot, ResponseCode.NXDomain);
    }

    private ValueTask<HandlerResult> Negative(DnsQueryContext context, ref MessageWriter writer, K8sExternalZone zone, K8sExternalSnapshot snapshot, ResponseCode rcode)
    {
        bool truncated = !zone.TryWriteSoa(ref writer, snapshot.Serial, _options.Ttl, atQuestion: false, MessageSection.Authority);
        return Complete(context, ref writer, rcode, truncated);
    }

    private ValueTask<HandlerResult> Complete(DnsQueryContext context, ref MessageWriter writer, ResponseCode rcode, bool truncated)
    {
        context.CompleteResponse(ref writer, rcode, authoritative: true, truncated);
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(rcode));
    }

    /// <summary>The block's kubernetes plugin, found once: setup runs in Corefile order, so it may come after us.</summary>
    private IK8sExternalSource? Source()
    {
        if (_sourceLooked)
        {
            return _source;
        }
        foreach (var handler in _handlers())
        {
            if (handler is IK8sExternalSource source)
            {
                _source = source;
                break;
            }
        }
        if (_source is null)
        {
            LogNoKubernetes(_logger, string.Join(", ", _options.Zones));
        }
        _sourceLooked = true;
        return _source;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "k8s_external {Zones}: no kubernetes plugin in this server block; queries pass to the next plugin, as in CoreDNS")]
    private static partial void LogNoKubernetes(ILogger logger, string zones);
}
