using ClusterDns.Protocol;
using ClusterDns.Server.Common;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Zones;

// Not "...Plugins.File": that namespace would hide System.IO.File from every sibling plugin namespace.
namespace ClusterDns.Server.Plugins.FilePlugin;

/// <summary>
/// Serves static zones authoritatively; names outside them go to the next handler, and so do names inside them
/// that do not exist where <c>fallthrough</c> says so. The zone set is swapped whole on reload; a query reads
/// the reference once and answers from that one snapshot.
/// </summary>
internal sealed class FileHandler : DnsHandler, ITransferSource
{
    private readonly FallthroughZones? _fallthrough;
    private ZoneSet _zones;

    public FileHandler(ZoneSet zones, IReadOnlyList<DnsName>? fallthrough = null)
    {
        _zones = zones;
        _fallthrough = FallthroughZones.From(fallthrough);
    }

    public override string Name => "file";

    public ZoneSet Zones
    {
        get => Volatile.Read(ref _zones);
        set => Volatile.Write(ref _zones, value);
    }

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var zone = Zones.Find(context.LowerName);
        if (zone is null || context.Query.Class != RecordClass.IN)
        {
            return NextAsync(context);
        }
        // Decided before writing: the response is written over the request (its counts and OPT), which the next
        // plugin (forward) must still see as the client sent it.
        if (FallsThrough(context.LowerName) && zone.IsNameAbsent(context.LowerName))
        {
            return NextAsync(context);
        }
        var writer = context.BeginResponse();
        var answer = zone.WriteAnswer(context.LowerName, context.QuestionType, ref writer);
        context.CompleteResponse(ref writer, answer.Rcode, answer.Authoritative, answer.Truncated);
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(answer.Rcode));
    }

    /// <summary>The <c>transfer</c> plugin's seam: the zone named exactly, from the zone set of this moment.</summary>
    public TransferCursor? OpenTransfer(ReadOnlySpan<byte> lowerZone) => ZoneOf(lowerZone)?.OpenTransfer();

    public bool TryGetSerial(ReadOnlySpan<byte> lowerZone, out uint serial)
    {
        var zone = ZoneOf(lowerZone);
        serial = zone?.Serial ?? 0;
        return zone is not null;
    }

    private AuthoritativeZone? ZoneOf(ReadOnlySpan<byte> lowerZone)
    {
        var zone = Zones.Find(lowerZone);
        return zone is not null && zone.Origin.Wire.SequenceEqual(lowerZone) ? zone : null;
    }

    private bool FallsThrough(ReadOnlySpan<byte> name) => _fallthrough?.Covers(name) == true;
}
