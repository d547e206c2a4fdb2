using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Zones;

// Not "...Plugins.File": that namespace would hide System.IO.File from every sibling plugin namespace.
namespace ClusterDns.Server.Plugins.FilePlugin;

/// <summary>
/// Serves static zones authoritatively; names outside them go to the next handler. The zone set is swapped
/// whole on reload; a query reads the reference once and answers from that one snapshot.
/// </summary>
internal sealed class FileHandler : DnsHandler
{
    private ZoneSet _zones;

    public FileHandler(ZoneSet zones) => _zones = zones;

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
        var writer = context.BeginResponse();
        var answer = zone.WriteAnswer(context.LowerName, context.QuestionType, ref writer);
        context.CompleteResponse(ref writer, answer.Rcode, answer.Authoritative, answer.Truncated);
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(answer.Rcode));
    }
}
