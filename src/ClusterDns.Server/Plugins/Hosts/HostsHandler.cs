using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Hosts;

/// <summary>
/// Answers A, AAAA and PTR from hosts entries, authoritatively. As in CoreDNS, only a name with no entry at all
/// goes to the next handler under <c>fallthrough</c> (else NXDOMAIN); a known name without the asked family is
/// NODATA, and so is another type unless <c>fallthrough_unsupported</c> passes it on.
/// </summary>
internal sealed class HostsHandler : DnsHandler
{
    private const ushort ClassIn = (ushort)RecordClass.IN;
    private readonly byte[][] _zones;
    private readonly byte[][]? _fallthrough;
    private readonly bool _fallthroughUnsupported;
    private readonly uint _ttl;
    private HostsIndex _index;

    public HostsHandler(HostsOptions options, HostsIndex index)
    {
        _zones = options.Zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _fallthrough = options.Fallthrough?.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _fallthroughUnsupported = options.FallthroughUnsupported;
        _ttl = options.Ttl;
        _index = index;
    }

    public override string Name => "hosts";

    public HostsIndex Index
    {
        get => Volatile.Read(ref _index);
        set => Volatile.Write(ref _index, value);
    }

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        if (context.Query.Class != RecordClass.IN)
        {
            return NextAsync(context);
        }
        var index = Index;
        var name = context.LowerName;
        var type = context.QuestionType;
        // As in CoreDNS, reverse names need not be in the plugin's zones.
        if (type == RecordType.PTR && index.TryGetPtrTargets(name, out var targets))
        {
            return Answer(context, RecordType.PTR, targets);
        }
        if (!Matches(name, _zones))
        {
            return NextAsync(context);
        }
        bool known = index.TryGetAddresses(name, out var addresses);
        var records = !known ? null : type switch
        {
            RecordType.A => addresses.V4,
            RecordType.AAAA => addresses.V6,
            _ => null,
        };
        if (records is { Length: > 0 })
        {
            return Answer(context, type, records);
        }
        bool supported = type is RecordType.A or RecordType.AAAA or RecordType.PTR;
        if ((!known || (_fallthroughUnsupported && !supported))
            && _fallthrough is not null && (_fallthrough.Length == 0 || Matches(name, _fallthrough)))
        {
            return NextAsync(context);
        }
        // The name has other data (NODATA) or none at all (NXDOMAIN); hosts has no SOA to add.
        var rcode = known ? ResponseCode.NoError : ResponseCode.NXDomain;
        var writer = context.BeginResponse();
        context.CompleteResponse(ref writer, rcode, authoritative: true, truncated: false);
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(rcode));
    }

    private ValueTask<HandlerResult> Answer(DnsQueryContext context, RecordType type, byte[][] records)
    {
        var writer = context.BeginResponse();
        var mark = writer.Mark();
        bool truncated = false;
        foreach (var rdata in records)
        {
            if (!writer.TryBeginRecordAt(DnsHeader.Size, type, ClassIn, _ttl, out var record)
                || !(type == RecordType.PTR ? writer.TryWriteName(rdata) : writer.TryWriteBytes(rdata)))
            {
                // Whole RRsets only: an answer that does not fit is dropped and TC tells the client to use TCP.
                writer.Rollback(mark);
                truncated = true;
                break;
            }
            writer.EndRecord(record, MessageSection.Answer);
        }
        context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated);
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(ResponseCode.NoError));
    }

    private static bool Matches(ReadOnlySpan<byte> name, byte[][] zones)
    {
        foreach (var zone in zones)
        {
            if (WireName.IsSubdomainOf(name, zone))
            {
                return true;
            }
        }
        return false;
    }
}
