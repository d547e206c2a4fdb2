using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// Answers the cluster zone from the published <see cref="ClusterIndex"/>: one snapshot per query, no locks,
/// no allocation. Names below <c>svc.zone</c> are answered from their Service's record
/// (<see cref="ServiceAnswers"/>), every other name from its entry. Misses go to the next handler only where
/// <c>fallthrough</c> says so.
/// </summary>
public sealed class KubernetesHandler : DnsHandler
{
    private const int MaxCnameChain = 8;

    private readonly KubernetesOptions _options;
    private readonly Func<ClusterIndex> _index;
    private readonly byte[][] _zones;
    private readonly InternalResolver? _resolver;

    public KubernetesHandler(KubernetesOptions options, Func<ClusterIndex> index, InternalResolver? resolver = null)
    {
        _options = options;
        _index = index;
        _resolver = resolver;
        _zones = options.Zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
    }

    public override string Name => "kubernetes";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var name = context.LowerName;
        int zone = MatchZone(name);
        if (zone < 0 || (context.Query.Class != RecordClass.IN && context.Query.Class != RecordClass.ANY))
        {
            return NextAsync(context);
        }
        var index = _index();
        var apex = index.Apexes[zone];
        context.DoNotCache = true;
        var type = context.QuestionType;
        var writer = context.BeginResponse();

        if (name.Length == apex.Wire.Length && type is RecordType.SOA)
        {
            bool written = apex.Soa.TryWriteAtQuestion(ref writer, MessageSection.Answer);
            return Complete(context, ref writer, ResponseCode.NoError, truncated: !written);
        }

        if (!apex.IsReverse && ServiceAnswers.TryLocate(name, name.Length - apex.Wire.Length, out int serviceName, out int keyLength))
        {
            var service = index.FindService(name.Slice(serviceName, keyLength));
            switch (ServiceAnswers.Write(ref writer, service, name, serviceName, type, _options.Ttl, atQuestion: true))
            {
                case ServiceAnswer.Missing:
                    return Missing(context, ref writer, index, apex);
                case ServiceAnswer.NoData:
                    return Negative(context, ref writer, apex, ResponseCode.NoError);
                case ServiceAnswer.Truncated:
                    return Complete(context, ref writer, ResponseCode.NoError, truncated: true);
                case ServiceAnswer.Cname when type is not (RecordType.CNAME or RecordType.ANY):
                    return ChaseCname(context, ref writer, index, service.ExternalName);
                default:
                    return Complete(context, ref writer, ResponseCode.NoError, false);
            }
        }

        var entry = index.Find(name);
        if (entry.IsNull)
        {
            if (TryAnswerPodName(context, ref writer, name, apex, out var podResult))
            {
                return podResult;
            }
            return Missing(context, ref writer, index, apex);
        }

        if (type == RecordType.ANY)
        {
            for (int i = 0; i < entry.RRsetCount; i++)
            {
                if (!entry.RRsetAt(i).TryWriteAtQuestion(ref writer, MessageSection.Answer))
                {
                    return Complete(context, ref writer, ResponseCode.NoError, truncated: true);
                }
            }
            return entry.RRsetCount > 0 ? Complete(context, ref writer, ResponseCode.NoError, false) : Negative(context, ref writer, apex, ResponseCode.NoError);
        }

        var answer = entry.Find(type);
        if (!answer.IsNull)
        {
            if (!answer.TryWriteAtQuestion(ref writer, MessageSection.Answer))
            {
                // Too large for this client: TC, with the records that fit (CoreDNS does the same).
                answer.WriteFittingAtQuestion(ref writer, MessageSection.Answer);
                return Complete(context, ref writer, ResponseCode.NoError, truncated: true);
            }
            WriteAdditional(index, answer, ref writer);
            return Complete(context, ref writer, ResponseCode.NoError, false);
        }

        var cname = entry.Find(RecordType.CNAME);
        if (!cname.IsNull)
        {
            if (!cname.TryWriteAtQuestion(ref writer, MessageSection.Answer))
            {
                return Complete(context, ref writer, ResponseCode.NoError, truncated: true);
            }
            return cname.TargetCount > 0 ? ChaseCname(context, ref writer, index, cname.Target(0)) : Complete(context, ref writer, ResponseCode.NoError, false);
        }
        return Negative(context, ref writer, apex, ResponseCode.NoError);
    }

    /// <summary>A name that does not exist: the next handler where <c>fallthrough</c> says so, else NXDOMAIN.</summary>
    private ValueTask<HandlerResult> Missing(DnsQueryContext context, ref MessageWriter writer, ClusterIndex index, ZoneApex apex)
    {
        if (_options.FallsThrough(context.LowerName))
        {
            return NextAsync(context);
        }
        if (!index.Synced)
        {
            // Not knowing yet is not knowing it is absent: SERVFAIL makes clients retry, NXDOMAIN would be cached.
            return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.ServFail));
        }
        return Negative(context, ref writer, apex, ResponseCode.NXDomain);
    }

    /// <summary>After a CNAME (an ExternalName's) is written: its target's records while the target is in this snapshot.</summary>
    private ValueTask<HandlerResult> ChaseCname(DnsQueryContext context, ref MessageWriter writer, ClusterIndex index, ReadOnlySpan<byte> target)
    {
        var type = context.QuestionType;
        for (int hop = 0; hop < MaxCnameChain; hop++)
        {
            int targetZone = MatchZone(target);
            if (targetZone < 0)
            {
                // Outside the cluster zone: follow it through our own pipeline (forward, file…), as CoreDNS's
                // upstream does, because glibc and musl do not chase a CNAME left without its addresses.
                if (_resolver is null)
                {
                    return Complete(context, ref writer, ResponseCode.NoError, false);
                }
                return ChaseExternalAsync(context, writer.Mark(), DnsName.FromWire(target), type);
            }
            var targetApex = index.Apexes[targetZone];
            if (!targetApex.IsReverse && ServiceAnswers.TryLocate(target, target.Length - targetApex.Wire.Length, out int serviceName, out int keyLength))
            {
                var service = index.FindService(target.Slice(serviceName, keyLength));
                switch (ServiceAnswers.Write(ref writer, service, target, serviceName, type, _options.Ttl, atQuestion: false))
                {
                    case ServiceAnswer.Missing:
                        return Negative(context, ref writer, targetApex, ResponseCode.NXDomain);
                    case ServiceAnswer.NoData:
                        return Negative(context, ref writer, targetApex, ResponseCode.NoError);
                    case ServiceAnswer.Truncated:
                        return Complete(context, ref writer, ResponseCode.NoError, truncated: true);
                    case ServiceAnswer.Cname:
                        target = service.ExternalName;
                        continue;
                    default:
                        return Complete(context, ref writer, ResponseCode.NoError, false);
                }
            }
            var entry = index.Find(target);
            if (entry.IsNull)
            {
                return Negative(context, ref writer, targetApex, ResponseCode.NXDomain);
            }
            var records = entry.Find(type);
            if (!records.IsNull)
            {
                if (!records.TryWriteWithOwner(ref writer, target, MessageSection.Answer))
                {
                    return Complete(context, ref writer, ResponseCode.NoError, truncated: true);
                }
                return Complete(context, ref writer, ResponseCode.NoError, false);
            }
            var next = entry.Find(RecordType.CNAME);
            if (next.IsNull)
            {
                return Negative(context, ref writer, index.Apexes[targetZone], ResponseCode.NoError);
            }
            if (!next.TryWriteWithOwner(ref writer, target, MessageSection.Answer))
            {
                return Complete(context, ref writer, ResponseCode.NoError, truncated: true);
            }
            if (next.TargetCount == 0)
            {
                break;
            }
            target = next.Target(0);
        }
        return Complete(context, ref writer, ResponseCode.NoError, false);
    }

    private async ValueTask<HandlerResult> ChaseExternalAsync(DnsQueryContext context, WriterMark mark, DnsName target, RecordType type)
    {
        var response = await _resolver!.ResolveAsync(target, type).ConfigureAwait(false);
        var writer = context.BeginResponse();
        writer.Rollback(mark);
        var rcode = ResponseCode.NoError;
        bool truncated = false;
        if (response is not null)
        {
            // The chain's last name decides (RFC 6604): NXDOMAIN or SERVFAIL of the target is ours too.
            rcode = response.Rcode is ResponseCode.NXDomain or ResponseCode.ServFail ? response.Rcode : ResponseCode.NoError;
            foreach (var record in response.Answers)
            {
                var before = writer.Mark();
                if (!writer.TryBeginRecord(record.Name.Wire, record.Type, (ushort)record.Class, record.Ttl, out var inProgress)
                    || !record.Data.TryWrite(ref writer))
                {
                    writer.Rollback(before);
                    truncated = true;
                    break;
                }
                writer.EndRecord(inProgress, MessageSection.Answer);
            }
        }
        context.CompleteResponse(ref writer, rcode, authoritative: true, truncated);
        context.WrittenBy = "kubernetes";
        return HandlerResult.Written(rcode);
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
    /// <c>a-b-c-d.ns.pod.zone</c> with <c>pods insecure</c>: answered from the name itself (verified pods are
    /// real entries in the index). <c>ns.pod.zone</c> is an empty non-terminal.
    /// </summary>
    private bool TryAnswerPodName(DnsQueryContext context, ref MessageWriter writer, ReadOnlySpan<byte> name, ZoneApex apex, out ValueTask<HandlerResult> result)
    {
        result = default;
        if (_options.Pods != PodsMode.Insecure || apex.IsReverse)
        {
            return false;
        }
        int labels = WireName.CountLabels(name) - WireName.CountLabels(apex.Wire);
        int podLabel = WireName.SkipLabels(name, labels - 1);
        if (labels is < 2 or > 3 || !name[podLabel..].StartsWith("\x03pod"u8) || podLabel + 4 != name.Length - apex.Wire.Length)
        {
            return false;
        }
        // ns.pod.zone: the namespace label sits just before "pod".
        int namespaceLabel = WireName.SkipLabels(name, labels - 2);
        var namespaceName = name.Slice(namespaceLabel + 1, name[namespaceLabel]);
        if (!IsExposed(namespaceName))
        {
            return false;
        }
        if (labels == 2)
        {
            result = Negative(context, ref writer, apex, ResponseCode.NoError);
            return true;
        }
        var ipLabel = name.Slice(1, name[0]);
        Span<byte> rdata = stackalloc byte[16];
        if (!ClusterNames.TryParseDashedIp(ipLabel, rdata, out int written))
        {
            result = Negative(context, ref writer, apex, ResponseCode.NXDomain);
            return true;
        }
        var addressType = written == 4 ? RecordType.A : RecordType.AAAA;
        if (context.QuestionType != addressType && context.QuestionType != RecordType.ANY)
        {
            result = Negative(context, ref writer, apex, ResponseCode.NoError);
            return true;
        }
        if (!writer.TryWriteRecordAt(DnsHeader.Size, addressType, (ushort)RecordClass.IN, _options.Ttl, rdata[..written], MessageSection.Answer))
        {
            result = Complete(context, ref writer, ResponseCode.NoError, truncated: true);
            return true;
        }
        result = Complete(context, ref writer, ResponseCode.NoError, false);
        return true;
    }

    private bool IsExposed(ReadOnlySpan<byte> namespaceName)
    {
        if (_options.Namespaces.Count == 0)
        {
            return true;
        }
        foreach (var allowed in _options.Namespaces)
        {
            if (namespaceName.Length == allowed.Length && System.Text.Ascii.EqualsIgnoreCase(namespaceName, allowed))
            {
                return true;
            }
        }
        return false;
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
}
