using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Multicluster;
using ClusterDns.Server.Plugins.Kubernetes.Names;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Services;
using ClusterDns.Server.Zones;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// Answers the cluster zone from the published <see cref="ClusterIndex"/>: one snapshot per query, no locks,
/// no allocation. Names below <c>svc.zone</c> are answered from their Service's record
/// (<see cref="ServiceAnswers"/>), every other name from its entry. Misses go to the next handler only where
/// <c>fallthrough</c> says so.
/// </summary>
public sealed partial class KubernetesHandler : DnsHandler, ITransferSource, IAutopathSearch
{
    private const int MaxCnameChain = 8;

    private readonly KubernetesOptions _options;
    private readonly Func<ClusterIndex> _index;
    private readonly byte[][] _zones;
    private readonly InternalResolver? _resolver;
    /// <summary>The <c>multicluster</c> zones' wire names (empty when the option is off: one length check per name).</summary>
    private readonly byte[][] _multiclusterZones;
    private readonly Func<ClustersetIndex>? _clusterset;

    private readonly Func<PodAddressIndex>? _pods;
    private readonly ClusterZoneJournal? _journal;

    public KubernetesHandler(KubernetesOptions options, Func<ClusterIndex> index, InternalResolver? resolver = null, ClustersetBuilder? clusterset = null,
        Func<PodAddressIndex>? pods = null, ClusterZoneBuilder? builder = null, ILogger? logger = null)
    {
        _options = options;
        _index = index;
        _resolver = resolver;
        _pods = pods;
        _zones = options.Zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _journal = builder is null ? null : new ClusterZoneJournal(builder, _zones, options.Ttl, logger ?? NullLogger.Instance);
        _multiclusterZones = clusterset is null ? [] : options.Multicluster.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _clusterset = clusterset is null ? null : () => clusterset.Current;
    }

    public override string Name => "kubernetes";

    /// <summary>autopath: only <c>pods verified</c> watches pods, so only then can a client be found (CoreDNS's initPodCache).</summary>
    public bool FindsPods => _options.Pods == PodsMode.Verified && _pods is not null;

    public IReadOnlyList<byte[]> SearchZones => _zones;

    public bool TryGetNamespace(System.Net.SocketAddress client, out ReadOnlySpan<byte> namespaceLabel)
    {
        namespaceLabel = default;
        return _pods is { } pods && pods().TryGetNamespace(client, out namespaceLabel);
    }

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var name = context.LowerName;
        int zone = MatchZone(name);
        if (zone < 0 || (context.Query.Class != RecordClass.IN && context.Query.Class != RecordClass.ANY))
        {
            return NextAsync(context);
        }
        var index = _index();
        context.DoNotCache = true;
        var type = context.QuestionType;
        var writer = context.BeginResponse();

        // The question and each CNAME target take the same step: one set of rules for both (RFC 1034 4.3.2).
        for (int hop = 0; hop <= MaxCnameChain; hop++)
        {
            var apex = index.Apexes[zone];
            bool atQuestion = hop == 0;
            switch (AnswerStep(ref writer, index, apex, name, atQuestion, type, out var target))
            {
                case StepResult.Answered:
                    return Complete(context, ref writer, ResponseCode.NoError, false);
                case StepResult.Truncated:
                    return Complete(context, ref writer, ResponseCode.NoError, truncated: true);
                case StepResult.NoData:
                    return Negative(context, ref writer, apex, ResponseCode.NoError);
                case StepResult.Missing:
                    return Missing(context, ref writer, index, apex, atQuestion);
                case StepResult.NotKnownYet:
                    return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.ServFail));
            }
            // A CNAME was written: follow its target while it stays in the cluster zone.
            zone = MatchZone(target);
            if (zone < 0)
            {
                // Outside the cluster zone: follow it through our own pipeline (forward, file…), as CoreDNS's
                // upstream does, because glibc and musl do not chase a CNAME left without its addresses.
                return _resolver is null
                    ? Complete(context, ref writer, ResponseCode.NoError, false)
                    : CnameTargetChase.WriteAsync(context, writer.Mark(), _resolver!, DnsName.FromWire(target), type, Name);
            }
            name = target;
        }
        return Complete(context, ref writer, ResponseCode.NoError, false);
    }

    /// <summary>What answering one name came to.</summary>
    private enum StepResult
    {
        Answered,
        /// <summary>Not every record fitted: those that did are written, TC is set.</summary>
        Truncated,
        NoData,
        /// <summary>The name does not exist (or is not known yet).</summary>
        Missing,
        /// <summary>A multicluster name before ServiceImports are listed: SERVFAIL, as the cluster zone before its sync.</summary>
        NotKnownYet,
        /// <summary>A CNAME is written and its target is to be followed.</summary>
        Cname,
    }

    /// <summary>
    /// Writes the records of <paramref name="name"/> for <paramref name="type"/>: owners are a pointer to the
    /// question when <paramref name="atQuestion"/>, else the name written out (a CNAME target). On
    /// <see cref="StepResult.Cname"/>, <paramref name="target"/> is where the chain goes next.
    /// </summary>
    private StepResult AnswerStep(scoped ref MessageWriter writer, ClusterIndex index, ZoneApex apex, ReadOnlySpan<byte> name,
        bool atQuestion, RecordType type, out ReadOnlySpan<byte> target)
    {
        target = default;
        bool followCname = type is not (RecordType.CNAME or RecordType.ANY);
        if (name.Length == apex.Wire.Length && type is RecordType.SOA)
        {
            bool written = atQuestion
                ? apex.Soa.TryWriteAtQuestion(ref writer, MessageSection.Answer)
                : apex.Soa.TryWriteWithOwner(ref writer, name, MessageSection.Answer);
            return written ? StepResult.Answered : StepResult.Truncated;
        }

        if (!apex.IsReverse && ServiceAnswers.TryLocate(name, name.Length - apex.Wire.Length, out int serviceName, out int keyLength))
        {
            if (_multiclusterZones.Length > 0 && IsMulticluster(apex))
            {
                return ClustersetStep(ref writer, name, serviceName, keyLength, type, atQuestion);
            }
            var service = index.FindService(name.Slice(serviceName, keyLength));
            switch (ServiceAnswers.Write(ref writer, service, name, serviceName, type, _options.Ttl, atQuestion))
            {
                case ServiceAnswer.Missing:
                    return StepResult.Missing;
                case ServiceAnswer.NoData:
                    return StepResult.NoData;
                case ServiceAnswer.Truncated:
                    return StepResult.Truncated;
                case ServiceAnswer.Cname when followCname:
                    target = service.ExternalName;
                    return StepResult.Cname;
                default:
                    return StepResult.Answered;
            }
        }

        var entry = index.Find(name);
        if (entry.IsNull)
        {
            return AnswerPodName(ref writer, index, apex, name, atQuestion, type);
        }

        if (type == RecordType.ANY)
        {
            for (int i = 0; i < entry.RRsetCount; i++)
            {
                if (!TryWrite(ref writer, entry.RRsetAt(i), name, atQuestion, MessageSection.Answer))
                {
                    return StepResult.Truncated;
                }
            }
            return entry.RRsetCount > 0 ? StepResult.Answered : StepResult.NoData;
        }

        var answer = entry.Find(type);
        if (!answer.IsNull)
        {
            if (!TryWrite(ref writer, answer, name, atQuestion, MessageSection.Answer))
            {
                // Too large for this client: TC, with the records that fit (CoreDNS does the same).
                if (atQuestion)
                {
                    answer.WriteFittingAtQuestion(ref writer, MessageSection.Answer);
                }
                else
                {
                    answer.WriteFittingWithOwner(ref writer, name, MessageSection.Answer);
                }
                return StepResult.Truncated;
            }
            WriteAdditional(index, answer, ref writer);
            return StepResult.Answered;
        }

        var cname = entry.Find(RecordType.CNAME);
        if (cname.IsNull)
        {
            return StepResult.NoData;
        }
        if (!TryWrite(ref writer, cname, name, atQuestion, MessageSection.Answer))
        {
            return StepResult.Truncated;
        }
        if (!followCname || cname.TargetCount == 0)
        {
            return StepResult.Answered;
        }
        target = cname.Target(0);
        return StepResult.Cname;
    }

    /// <summary>A name below <c>svc.zone</c> of a multicluster zone: its ServiceImport's (KEP-1645), never a Service's.</summary>
    private StepResult ClustersetStep(scoped ref MessageWriter writer, ReadOnlySpan<byte> name, int serviceName, int keyLength, RecordType type, bool atQuestion)
    {
        var clusterset = _clusterset!();
        var service = clusterset.Find(name.Slice(serviceName, keyLength));
        switch (ClustersetAnswers.Write(ref writer, service, name, serviceName, type, _options.Ttl, atQuestion))
        {
            case ServiceAnswer.Missing:
                return clusterset.Synced ? StepResult.Missing : StepResult.NotKnownYet;
            case ServiceAnswer.NoData:
                return StepResult.NoData;
            case ServiceAnswer.Truncated:
                return StepResult.Truncated;
            default:
                return StepResult.Answered;
        }
    }

    private bool IsMulticluster(ZoneApex apex)
    {
        foreach (var zone in _multiclusterZones)
        {
            if (apex.Wire.SequenceEqual(zone))
            {
                return true;
            }
        }
        return false;
    }

    private static bool TryWrite(ref MessageWriter writer, ClusterRRset rrset, ReadOnlySpan<byte> owner, bool atQuestion, MessageSection section) =>
        atQuestion ? rrset.TryWriteAtQuestion(ref writer, section) : rrset.TryWriteWithOwner(ref writer, owner, section);

    /// <summary>
    /// A name that does not exist: at the question, the next handler where <c>fallthrough</c> says so; before the
    /// first sync SERVFAIL (not knowing yet is not knowing it is absent: SERVFAIL makes clients retry, NXDOMAIN
    /// would be cached), whether the name was asked or reached through a CNAME; else NXDOMAIN.
    /// </summary>
    private ValueTask<HandlerResult> Missing(DnsQueryContext context, ref MessageWriter writer, ClusterIndex index, ZoneApex apex, bool atQuestion)
    {
        if (atQuestion && _options.FallsThrough(context.LowerName))
        {
            return NextAsync(context);
        }
        if (!index.Synced)
        {
            return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.ServFail));
        }
        return Negative(context, ref writer, apex, ResponseCode.NXDomain);
    }

    /// <summary>SRV targets' and the NS name's addresses, in additional, as far as they fit (no TC for these).</summary>
    private static void WriteAdditional(ClusterIndex index, ClusterRRset answer, ref MessageWriter writer)
    {
        if (answer.Type is not (RecordType.SRV or RecordType.NS))
        {
            return;
        }
        for (int t = 0; t < answer.TargetCount; t++)
        {
            var target = answer.Target(t);
            var entry = index.Find(target);
            if (entry.IsNull)
            {
                continue;
            }
            for (int i = 0; i < entry.RRsetCount; i++)
            {
                var rrset = entry.RRsetAt(i);
                if (rrset.Type is RecordType.A or RecordType.AAAA && !rrset.TryWriteWithOwner(ref writer, target, MessageSection.Additional))
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// <c>a-b-c-d.ns.pod.zone</c>: answered from the name itself while the namespace is exposed, with <c>pods
    /// verified</c> only when a pod of the namespace holds the address (the pod address index: 12 bytes a pod
    /// instead of a ~130-byte name entry each). Whether the namespace is exposed, the builder decided with
    /// <see cref="NamespaceExposure"/> and published as the entry <c>ns.pod.zone</c>: one predicate for both modes.
    /// </summary>
    private StepResult AnswerPodName(ref MessageWriter writer, ClusterIndex index, ZoneApex apex, ReadOnlySpan<byte> name, bool atQuestion, RecordType type)
    {
        if (_options.Pods == PodsMode.Disabled || apex.IsReverse)
        {
            return StepResult.Missing;
        }
        int labels = WireName.CountLabels(name) - WireName.CountLabels(apex.Wire);
        int podLabel = WireName.SkipLabels(name, labels - 1);
        if (labels != 3 || !name[podLabel..].StartsWith("\x03pod"u8) || podLabel + 4 != name.Length - apex.Wire.Length)
        {
            return StepResult.Missing;
        }
        if (index.Find(name[(1 + name[0])..]).IsNull)
        {
            return StepResult.Missing; // the namespace does not exist or is not exposed
        }
        Span<byte> rdata = stackalloc byte[16];
        if (!ClusterNames.TryParseDashedIp(name.Slice(1, name[0]), rdata, out int length))
        {
            return StepResult.Missing;
        }
        if (_options.Pods == PodsMode.Verified)
        {
            var namespaceLabel = name[(1 + name[0])..];
            if (_pods is null || !_pods().Holds(rdata[..length], namespaceLabel[..(1 + namespaceLabel[0])]))
            {
                return StepResult.Missing;
            }
        }
        var addressType = length == 4 ? RecordType.A : RecordType.AAAA;
        if (type != addressType && type != RecordType.ANY)
        {
            return StepResult.NoData;
        }
        bool written = atQuestion
            ? writer.TryWriteRecordAt(DnsHeader.Size, addressType, (ushort)RecordClass.IN, _options.Ttl, rdata[..length], MessageSection.Answer)
            : writer.TryWriteRecord(name, addressType, (ushort)RecordClass.IN, _options.Ttl, rdata[..length], MessageSection.Answer);
        return written ? StepResult.Answered : StepResult.Truncated;
    }

    private static ValueTask<HandlerResult> Negative(DnsQueryContext context, ref MessageWriter writer, ZoneApex apex, ResponseCode rcode)
    {
        bool truncated = !apex.Soa.TryWriteWithOwner(ref writer, apex.Wire, MessageSection.Authority);
        return Complete(context, ref writer, rcode, truncated);
    }

    private static ValueTask<HandlerResult> Complete(DnsQueryContext context, ref MessageWriter writer, ResponseCode rcode, bool truncated)
    {
        context.CompleteResponse(ref writer, rcode, authoritative: true, truncated);
        context.WrittenBy = "kubernetes";
        return new ValueTask<HandlerResult>(HandlerResult.Written(rcode));
    }

    private int MatchZone(ReadOnlySpan<byte> name) => WireName.IndexOfLongestZone(name, _zones);

    /// <summary>The <c>transfer</c> plugin's seam: a zone of ours named exactly, from the index published now.</summary>
    public TransferCursor? OpenTransfer(ReadOnlySpan<byte> lowerZone)
    {
        int zone = ExactZone(lowerZone);
        return zone < 0 ? null : new ClusterZoneTransfer(_index(), zone, _zones, _options.Ttl);
    }

    /// <summary>The zone's journal from the builder's publishes (a handler made without the builder keeps none: the transfer plugin captures).</summary>
    public TransferJournal? OpenJournal(ReadOnlySpan<byte> lowerZone)
    {
        int zone = ExactZone(lowerZone);
        return zone < 0 || _journal is null ? null : _journal.Open(zone);
    }

    public void WatchChanges(Action changed) => _journal?.WatchChanges(changed);

    /// <summary>False before the first list: an empty zone is not announced.</summary>
    public bool TryGetSerial(ReadOnlySpan<byte> lowerZone, out uint serial)
    {
        var index = _index();
        serial = index.Serial;
        return index.Synced && ExactZone(lowerZone) >= 0;
    }

    private int ExactZone(ReadOnlySpan<byte> lowerZone)
    {
        int zone = MatchZone(lowerZone);
        return zone >= 0 && _zones[zone].Length == lowerZone.Length ? zone : -1;
    }
}
