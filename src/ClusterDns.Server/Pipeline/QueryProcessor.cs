using System.Diagnostics;
using ClusterDns.Protocol;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// Turns a received packet into a response: verdict on the header, routing by zone, the handler chain,
/// the server's own bare responses, and the one catch that turns a handler bug into SERVFAIL.
/// Routers are swapped whole on reload; a query keeps the router it started with.
/// </summary>
public sealed partial class QueryProcessor
{
    private readonly ILogger _logger;
    private ZoneRouter _router;

    public QueryProcessor(ZoneRouter router, IQueryObserver observer, ILogger logger)
    {
        _router = router;
        Observer = observer;
        _logger = logger;
    }

    public IQueryObserver Observer { get; set; }

    /// <summary>Counts queries that arrive after lameduck left rotation (the process's shutdown state owns it); null in tests.</summary>
    public LateQueryCounter? LateQueries { get; init; }

    public ZoneRouter Router
    {
        get => Volatile.Read(ref _router);
        set => Volatile.Write(ref _router, value);
    }

    /// <summary>
    /// Processes the request already in <paramref name="context"/> (after <see cref="DnsQueryContext.Reset"/>).
    /// Completes synchronously unless a handler waits on the network. Never throws for anything a client sends.
    /// </summary>
    public ValueTask ProcessAsync(DnsQueryContext context)
    {
        context.StartTimestamp = Stopwatch.GetTimestamp();
        LateQueries?.NoteQuery();
        switch (context.Verdict)
        {
            case QueryVerdict.Drop:
                return default;
            case QueryVerdict.FormErr:
                return Finish(context, ResponseCode.FormErr, bare: true);
            case QueryVerdict.NotImp:
                return Finish(context, ResponseCode.NotImp, bare: true);
            case QueryVerdict.BadVers:
                return Finish(context, ResponseCode.BadVers, bare: true);
            case QueryVerdict.Notify:
                return ReceiveNotify(context);
        }

        bool transfer = context.QuestionType is RecordType.AXFR or RecordType.IXFR;
        if (transfer && context.ResponseStream is null)
        {
            // Zone transfers only over a stream (RFC 5936 §4.2), as CoreDNS's transfer plugin: never over UDP.
            return Finish(context, ResponseCode.Refused, bare: true);
        }

        var block = Router.Route(context);
        if (block?.Chain is null || (transfer && !block.OffersTransfers))
        {
            // No block, or a block without the transfer plugin: its other handlers never see a transfer.
            context.Block = transfer ? block : null;
            return Finish(context, ResponseCode.Refused, bare: true);
        }

        ValueTask<HandlerResult> pending;
        try
        {
            pending = block.Chain.ServeAsync(context);
        }
        catch (Exception exception)
        {
            return Fault(context, exception);
        }
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            if (result.IsDropped)
            {
                return DropResponse(context);
            }
            return Finish(context, result.Rcode, bare: !result.IsWritten);
        }
        return AwaitHandlerAsync(pending, context);
    }

    private async ValueTask AwaitHandlerAsync(ValueTask<HandlerResult> pending, DnsQueryContext context)
    {
        HandlerResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await Fault(context, exception).ConfigureAwait(false);
            return;
        }
        if (result.IsDropped)
        {
            await DropResponse(context).ConfigureAwait(false);
            return;
        }
        await Finish(context, result.Rcode, bare: !result.IsWritten).ConfigureAwait(false);
    }

    /// <summary>A NOTIFY goes to the block's notify receiver alone (RFC 1996 §3.7: the reply echoes the question, AA set).</summary>
    private ValueTask ReceiveNotify(DnsQueryContext context)
    {
        var block = Router.Route(context);
        context.Block = block;
        for (var handler = block?.Chain; handler is not null; handler = handler.Next)
        {
            if (handler is INotifyReceiver receiver)
            {
                ResponseCode rcode;
                try
                {
                    rcode = receiver.ReceiveNotify(context);
                }
                catch (Exception exception)
                {
                    return Fault(context, exception);
                }
                var writer = context.BeginResponse();
                context.CompleteResponse(ref writer, rcode, authoritative: rcode == ResponseCode.NoError, truncated: false);
                return Finish(context, rcode, bare: false);
            }
        }
        return Finish(context, ResponseCode.NotImp, bare: true);
    }

    private ValueTask Finish(DnsQueryContext context, ResponseCode rcode, bool bare)
    {
        if (bare)
        {
            context.WriteBareResponse(rcode);
        }
        Observer.OnQueryCompleted(context, rcode);
        return default;
    }

    /// <summary>A handler chose silence (acl drop): like a dropped packet, no response and no observation.</summary>
    private static ValueTask DropResponse(DnsQueryContext context)
    {
        context.ClearResponse();
        return default;
    }

    private ValueTask Fault(DnsQueryContext context, Exception exception)
    {
        LogHandlerFault(_logger, exception, context.Block?.Chain?.Name ?? "server");
        Observer.OnHandlerFault(context);
        context.ClearResponse();
        context.WriteBareResponse(ResponseCode.ServFail);
        Observer.OnQueryCompleted(context, ResponseCode.ServFail);
        return default;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "A handler failed while answering (first handler {Handler}); answered SERVFAIL")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception, string handler);
}
