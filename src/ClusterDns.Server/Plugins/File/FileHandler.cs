using System.Buffers;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Zones;

// Not "...Plugins.File": that namespace would hide System.IO.File from every sibling plugin namespace.
namespace ClusterDns.Server.Plugins.FilePlugin;

/// <summary>
/// Serves static zones authoritatively; names outside them go to the next handler, and so do names inside them
/// that do not exist where <c>fallthrough</c> says so. The zone set is swapped whole on reload; a query reads
/// the reference once and answers from that one snapshot.
/// </summary>
internal sealed class FileHandler : DnsHandler
{
    private readonly byte[][]? _fallthrough;
    private ZoneSet _zones;

    public FileHandler(ZoneSet zones, IReadOnlyList<DnsName>? fallthrough = null)
    {
        _zones = zones;
        _fallthrough = fallthrough?.Select(z => z.ToLower().Wire.ToArray()).ToArray();
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
        bool mayFallThrough = FallsThrough(context.LowerName);
        // The response is written over the request (header counts, and the OPT after the question): when the query
        // may go on to the next plugin, keep those bytes, so that forward sends upstream what the client sent.
        int tailLength = mayFallThrough ? context.RequestLength - context.Query.QuestionEnd : 0;
        byte[]? rented = tailLength > 512 ? ArrayPool<byte>.Shared.Rent(tailLength) : null;
        Span<byte> requestTail = rented is null ? stackalloc byte[512] : rented;
        requestTail = requestTail[..tailLength];
        Span<byte> requestHeader = stackalloc byte[12];
        if (mayFallThrough)
        {
            context.Request[context.Query.QuestionEnd..].CopyTo(requestTail);
            context.Request[..12].CopyTo(requestHeader);
        }
        ZoneAnswer answer;
        try
        {
            var writer = context.BeginResponse();
            answer = zone.WriteAnswer(context.LowerName, context.QuestionType, ref writer);
            // The name does not exist (and no CNAME led elsewhere first): another plugin may know it.
            if (answer.Rcode == ResponseCode.NXDomain && writer.AnswerCount == 0 && mayFallThrough)
            {
                requestHeader.CopyTo(context.Buffer);
                requestTail.CopyTo(context.Buffer.AsSpan(context.Query.QuestionEnd));
                return NextAsync(context);
            }
            context.CompleteResponse(ref writer, answer.Rcode, answer.Authoritative, answer.Truncated);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(answer.Rcode));
    }

    private bool FallsThrough(ReadOnlySpan<byte> name)
    {
        if (_fallthrough is null)
        {
            return false;
        }
        if (_fallthrough.Length == 0)
        {
            return true;
        }
        foreach (var zone in _fallthrough)
        {
            if (WireName.IsSubdomainOf(name, zone))
            {
                return true;
            }
        }
        return false;
    }
}
