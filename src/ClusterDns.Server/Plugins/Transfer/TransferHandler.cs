using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Zones;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Transfer;

/// <summary>
/// Answers AXFR and IXFR (RFC 5936, RFC 1995) over TCP for the zones of its <c>transfer</c> directives, from the
/// first handler after it in the chain that lists the zone (<see cref="ITransferSource"/>: file, kubernetes, secondary),
/// as CoreDNS's transfer plugin: REFUSED to clients no <c>to</c> allows and over UDP; an IXFR whose serial is current
/// gets the SOA alone. Unlike CoreDNS (which always sends the whole zone), an IXFR from a serial the zone's
/// <see cref="TransferJournal"/> knows gets the differences since (RFC 1995), any other the whole zone.
/// Every other query passes through.
/// </summary>
internal sealed partial class TransferHandler : DnsHandler
{
    /// <summary>
    /// Messages are filled to about 16 KiB: compression pointers reach only the first 16 KiB of a message, and a
    /// slow reader then holds one small message per write, not 64 KiB. An RRset larger than this gets a whole message.
    /// </summary>
    internal const int MessageTarget = 16 * 1024;

    private readonly ILogger _logger;
    private readonly Dictionary<byte[], TransferJournal> _journals = new(WireNameComparer.Instance);
    private readonly TransferSubscribers _subscribers = new();
    private TransferRule[] _rules;

    public TransferHandler(TransferRule rule, ILogger logger)
    {
        _rules = [rule];
        _logger = logger;
    }

    public override string Name => "transfer";

    public IReadOnlyList<TransferRule> Rules => _rules;

    /// <summary>Secondaries that transferred through a network or <c>*</c> (their addresses are not known in advance): they get NOTIFY too.</summary>
    internal TransferSubscribers Subscribers => _subscribers;

    private void NoteSubscriber(TransferRule rule, System.Net.IPAddress client)
    {
        if (!rule.NotifiesDirectly(client))
        {
            _subscribers.Note(rule, client);
        }
    }

    /// <summary>Another <c>transfer</c> directive of the same server block (setup time only).</summary>
    public void Add(TransferRule rule) => _rules = [.. _rules, rule];

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var type = context.QuestionType;
        if (type is not (RecordType.AXFR or RecordType.IXFR))
        {
            return NextAsync(context);
        }
        if (context.ResponseStream is not { } stream)
        {
            return Bare(ResponseCode.Refused);
        }
        var rule = LongestMatch(context.LowerName);
        if (rule is null)
        {
            return NextAsync(context);
        }
        if (!rule.Allows(context.RemoteEndPoint.Address))
        {
            return Bare(ResponseCode.Refused);
        }
        uint? clientSerial = null;
        if (type == RecordType.IXFR)
        {
            if (!TransferRequest.TryReadIxfrSerial(context.Request, out uint serial))
            {
                // RFC 1995 §3: an IXFR carries the client's SOA in the authority section (CoreDNS: SERVFAIL).
                return Bare(ResponseCode.FormErr);
            }
            clientSerial = serial;
        }
        var (source, cursor) = OpenCursor(context.LowerName);
        if (cursor is null)
        {
            return NextAsync(context);
        }
        context.DoNotCache = true;
        if (!cursor.Ready)
        {
            return Bare(ResponseCode.ServFail);
        }
        NoteSubscriber(rule, context.RemoteEndPoint.Address);
        if (clientSerial is { } current && !SerialArithmetic.IsNewer(cursor.Serial, current))
        {
            return WriteSoaOnly(context, cursor);
        }
        return StreamAsync(context, stream, ChooseTransfer(context.LowerName, source!, cursor, clientSerial));
    }

    /// <summary>What an AXFR (<paramref name="clientSerial"/> null) or an IXFR from that serial is sent from.</summary>
    internal TransferCursor ChooseTransfer(ReadOnlySpan<byte> zone, ITransferSource source, TransferCursor cursor, uint? clientSerial) =>
        source.OpenJournal(zone) is { } own
            ? FromSourceJournal(zone, own, cursor, clientSerial)
            : FromJournal(zone, cursor, clientSerial);

    /// <summary>
    /// What to send from a source that journals its own changes: an AXFR straight from its cursor (no copy of the
    /// zone is made), an IXFR from the journal's run up to the cursor's serial, or the cursor when the run does not
    /// hold the client's serial.
    /// </summary>
    private TransferCursor FromSourceJournal(ReadOnlySpan<byte> zone, TransferJournal journal, TransferCursor cursor, uint? clientSerial)
    {
        if (clientSerial is not { } serial)
        {
            return cursor;
        }
        var differences = journal.DifferencesSince(serial, cursor.Serial);
        LogIxfr(_logger, DnsName.Format(zone), serial, cursor.Serial, differences is null ? "whole zone" : $"{differences.Count} differences");
        return differences is null ? cursor : RecordListTransfer.Incremental(differences);
    }

    /// <summary>
    /// What to send, through the zone's journal: the differences since an IXFR client's serial when the journal has
    /// them, else the whole version the journal captured (so whatever serial a secondary is given, the journal knows
    /// it at its next IXFR), else, when the version cannot be captured, the source's own cursor.
    /// </summary>
    private TransferCursor FromJournal(ReadOnlySpan<byte> zone, TransferCursor cursor, uint? clientSerial)
    {
        var journal = JournalFor(zone, create: true)!;
        var latest = journal.Capture(cursor);
        if (latest is null)
        {
            return cursor;
        }
        if (clientSerial is not { } serial)
        {
            return RecordListTransfer.Whole(latest);
        }
        var differences = journal.DifferencesSince(serial, latest);
        LogIxfr(_logger, DnsName.Format(zone), serial, latest.Serial, differences is null ? "whole zone" : $"{differences.Count} differences");
        return differences is null ? RecordListTransfer.Whole(latest) : RecordListTransfer.Incremental(latest, differences);
    }

    /// <summary>The zone's journal; created by the first transfer (a zone nobody transfers costs nothing).</summary>
    internal TransferJournal? JournalFor(ReadOnlySpan<byte> zone, bool create)
    {
        lock (_journals)
        {
            var lookup = _journals.GetAlternateLookup<ReadOnlySpan<byte>>();
            if (lookup.TryGetValue(zone, out var journal) || !create)
            {
                return journal;
            }
            journal = new TransferJournal(DnsName.FromWire(zone));
            _journals[zone.ToArray()] = journal;
            return journal;
        }
    }

    private static ValueTask<HandlerResult> Bare(ResponseCode rcode) => new(HandlerResult.NotWritten(rcode));

    private TransferRule? LongestMatch(ReadOnlySpan<byte> name)
    {
        TransferRule? best = null;
        int bestLength = -1;
        foreach (var rule in _rules)
        {
            foreach (var zone in rule.ZonesWire)
            {
                if (zone.Length > bestLength && WireName.IsSubdomainOf(name, zone))
                {
                    best = rule;
                    bestLength = zone.Length;
                }
            }
        }
        return best;
    }

    /// <summary>The first handler after this one that lists the zone named exactly (CoreDNS: the first Transferer that does not answer ErrNotAuthoritative), and its cursor.</summary>
    internal (ITransferSource? Source, TransferCursor? Cursor) OpenCursor(ReadOnlySpan<byte> zone)
    {
        for (var handler = Next; handler is not null; handler = handler.Next)
        {
            if (handler is ITransferSource source && source.OpenTransfer(zone) is { } cursor)
            {
                return (source, cursor);
            }
        }
        return (null, null);
    }

    /// <summary>Every source after this one (the notifier asks each to call it back on change).</summary>
    internal IEnumerable<ITransferSource> Sources()
    {
        for (var handler = Next; handler is not null; handler = handler.Next)
        {
            if (handler is ITransferSource source)
            {
                yield return source;
            }
        }
    }

    /// <summary>The zone's serial from the first source that serves it (the NOTIFY check).</summary>
    internal bool TryGetSerial(ReadOnlySpan<byte> zone, out uint serial)
    {
        for (var handler = Next; handler is not null; handler = handler.Next)
        {
            if (handler is ITransferSource source && source.TryGetSerial(zone, out serial))
            {
                return true;
            }
        }
        serial = 0;
        return false;
    }

    /// <summary>RFC 1995 §2: the client is up to date; the answer is our SOA alone.</summary>
    private ValueTask<HandlerResult> WriteSoaOnly(DnsQueryContext context, TransferCursor cursor)
    {
        var writer = context.BeginResponse();
        cursor.TryWriteSoa(ref writer);
        context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated: false);
        context.WrittenBy = Name;
        LogUpToDate(_logger, DnsName.Format(context.LowerName), context.RemoteEndPoint, cursor.Serial);
        return new ValueTask<HandlerResult>(HandlerResult.Written(ResponseCode.NoError));
    }

    /// <summary>
    /// Fills and sends messages until the zone ends; the last one is left in the context for the listener to send
    /// like any answer (so the server's log and metrics see one query). A message the client does not take within
    /// the write timeout ends the transfer and the connection.
    /// </summary>
    private async ValueTask<HandlerResult> StreamAsync(DnsQueryContext context, IResponseStream stream, TransferCursor cursor)
    {
        var progress = new TransferProgress();
        while (true)
        {
            var filled = TransferMessages.Fill(context, cursor, progress);
            if (filled == FillResult.TooLarge)
            {
                LogTooLarge(_logger, DnsName.Format(context.LowerName), context.RemoteEndPoint);
                context.ClearResponse();
                return HandlerResult.NotWritten(ResponseCode.ServFail);
            }
            context.WrittenBy = Name;
            if (filled == FillResult.Last)
            {
                LogTransferred(_logger, progress.Records, DnsName.Format(context.LowerName), context.RemoteEndPoint, cursor.Serial, progress.Messages);
                return HandlerResult.Written(ResponseCode.NoError);
            }
            if (!await stream.SendAsync(context.Buffer.AsMemory(0, context.ResponseLength)).ConfigureAwait(false))
            {
                LogCut(_logger, DnsName.Format(context.LowerName), context.RemoteEndPoint, progress.Records);
                return HandlerResult.Drop();
            }
        }
    }

    [LoggerMessage(EventId = 1707, Level = LogLevel.Debug, Message = "Incremental transfer of zone {Zone} from serial {From} to {To}: {What}")]
    private static partial void LogIxfr(ILogger logger, string zone, uint from, uint to, string what);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Outgoing transfer of {Records} records of zone {Zone} to {Client} for serial {Serial} in {Messages} messages")]
    private static partial void LogTransferred(ILogger logger, int records, string zone, System.Net.IPEndPoint client, uint serial, int messages);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Information, Message = "Incremental transfer of zone {Zone} to {Client}: up to date at serial {Serial}")]
    private static partial void LogUpToDate(ILogger logger, string zone, System.Net.IPEndPoint client, uint serial);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Warning, Message = "Transfer of zone {Zone} to {Client} cut after {Records} records: the client did not read within the write timeout or went away")]
    private static partial void LogCut(ILogger logger, string zone, System.Net.IPEndPoint client, int records);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Error, Message = "Transfer of zone {Zone} to {Client} failed: a group of records does not fit in one 64 KiB message")]
    private static partial void LogTooLarge(ILogger logger, string zone, System.Net.IPEndPoint client);
}
