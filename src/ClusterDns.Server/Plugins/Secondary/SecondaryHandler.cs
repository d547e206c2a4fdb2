using ClusterDns.Protocol;
using ClusterDns.Server.Common;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Secondary;

/// <summary>
/// Answers the names of its secondary zones from the last version transferred, exactly as <c>file</c> answers its
/// zones (<see cref="AuthoritativeZone"/>, allocation-free): SERVFAIL before the first transfer and after the SOA's
/// expire without a primary (RFC 1035 §3.3.13), as CoreDNS. Takes the primaries' NOTIFY (RFC 1996), offers the zone to
/// <c>transfer</c> (a node cache can pass it on), and is unready while a zone is missing or expired.
/// </summary>
internal sealed class SecondaryHandler : DnsHandler, INotifyReceiver, ITransferSource, IReadinessReporter
{
    private readonly SecondaryZone[] _zones;
    private readonly FallthroughZones? _fallthrough;

    public SecondaryHandler(SecondaryZone[] zones, IReadOnlyList<DnsName>? fallthrough)
    {
        _zones = zones;
        _fallthrough = FallthroughZones.From(fallthrough);
    }

    public override string Name => "secondary";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var zone = Find(context.LowerName);
        if (zone is null || context.Query.Class != RecordClass.IN)
        {
            return NextAsync(context);
        }
        var current = zone.Current;
        if (current is null || zone.IsExpired)
        {
            return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.ServFail));
        }
        // Decided before writing: the response is written over the request, which the next plugin must still see.
        if (FallsThrough(context.LowerName) && current.Zone.IsNameAbsent(context.LowerName))
        {
            return NextAsync(context);
        }
        var writer = context.BeginResponse();
        var answer = current.Zone.WriteAnswer(context.LowerName, context.QuestionType, ref writer);
        context.CompleteResponse(ref writer, answer.Rcode, answer.Authoritative, answer.Truncated);
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(answer.Rcode));
    }

    /// <summary>
    /// RFC 1996 §3.7: a NOTIFY for one of our zones is a hint to check now. It is taken from any address (a central
    /// replica's pod address is not known in advance); it only makes us ask our own configured primaries, once,
    /// however many arrive, so it cannot be used to aim traffic elsewhere.
    /// </summary>
    public ResponseCode ReceiveNotify(DnsQueryContext context)
    {
        foreach (var zone in _zones)
        {
            if (context.LowerName.SequenceEqual(zone.OriginWire))
            {
                zone.Notify();
                return ResponseCode.NoError;
            }
        }
        return ResponseCode.NotAuth;
    }

    public TransferCursor? OpenTransfer(ReadOnlySpan<byte> lowerZone) =>
        Exact(lowerZone) is { } zone && !zone.IsExpired ? zone.Current?.Zone.OpenTransfer() : null;

    public bool TryGetSerial(ReadOnlySpan<byte> lowerZone, out uint serial)
    {
        var current = Exact(lowerZone) is { IsExpired: false } zone ? zone.Current : null;
        serial = current?.Zone.Serial ?? 0;
        return current is not null;
    }

    public bool IsReady
    {
        get
        {
            foreach (var zone in _zones)
            {
                if (zone.Current is null || zone.IsExpired)
                {
                    return false;
                }
            }
            return true;
        }
    }

    public string? NotReadyReason
    {
        get
        {
            foreach (var zone in _zones)
            {
                if (zone.Current is null)
                {
                    return $"zone {zone.Origin} not transferred yet";
                }
                if (zone.IsExpired)
                {
                    return $"zone {zone.Origin} expired: no primary answered for longer than its SOA expire ({zone.Expire.TotalSeconds:0}s)";
                }
            }
            return null;
        }
    }

    /// <summary>The zone with the longest apex containing <paramref name="name"/>.</summary>
    private SecondaryZone? Find(ReadOnlySpan<byte> name)
    {
        SecondaryZone? best = null;
        foreach (var zone in _zones)
        {
            if ((best is null || zone.OriginWire.Length > best.OriginWire.Length) && WireName.IsSubdomainOf(name, zone.OriginWire))
            {
                best = zone;
            }
        }
        return best;
    }

    private SecondaryZone? Exact(ReadOnlySpan<byte> lowerZone)
    {
        foreach (var zone in _zones)
        {
            if (lowerZone.SequenceEqual(zone.OriginWire))
            {
                return zone;
            }
        }
        return null;
    }

    private bool FallsThrough(ReadOnlySpan<byte> name) => _fallthrough?.Covers(name) == true;
}
