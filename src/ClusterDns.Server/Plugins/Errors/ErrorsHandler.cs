using System.Globalization;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Errors;

/// <summary>
/// Wraps the rest of the chain and logs every query that ends in SERVFAIL (our plugins' "error" outcome),
/// as <c>2 NAME TYPE: ...</c> like CoreDNS. Successful queries cost one comparison and no allocation.
/// </summary>
internal sealed partial class ErrorsHandler : DnsHandler
{
    private readonly ILogger _logger;
    private readonly ConsolidationCounter[] _consolidate;

    public ErrorsHandler(ErrorsOptions options, ILogger logger)
    {
        _logger = logger;
        _consolidate = options.Consolidate.Select(rule => new ConsolidationCounter(rule)).ToArray();
    }

    public override string Name => "errors";

    internal IReadOnlyList<ConsolidationCounter> Consolidation => _consolidate;

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var pending = NextAsync(context);
        if (pending.IsCompletedSuccessfully)
        {
            Observe(context, pending.Result);
            return pending;
        }
        return AwaitNextAsync(pending, context);
    }

    private async ValueTask<HandlerResult> AwaitNextAsync(ValueTask<HandlerResult> pending, DnsQueryContext context)
    {
        var result = await pending.ConfigureAwait(false);
        Observe(context, result);
        return result;
    }

    private void Observe(DnsQueryContext context, HandlerResult result)
    {
        if (result.Rcode != ResponseCode.ServFail)
        {
            return;
        }
        string message = Describe(context, result);
        foreach (var counter in _consolidate)
        {
            if (counter.Rule.Pattern.IsMatch(message))
            {
                if (counter.Increment() == 1 && counter.Rule.ShowFirst)
                {
                    // The level is the rule's, chosen in the Corefile: not a fixed-level [LoggerMessage].
                    _logger.Log(counter.Rule.Level, "{Message}", message);
                }
                return;
            }
        }
        LogError(_logger, message);
    }

    /// <summary>CoreDNS's shape: <c>RCODE NAME TYPE: reason</c>.</summary>
    internal static string Describe(DnsQueryContext context, HandlerResult result)
    {
        string source = result.IsWritten && context.WrittenBy.Length > 0
            ? "plugin/" + context.WrittenBy + " answered SERVFAIL"
            : "no plugin could answer";
        return string.Create(CultureInfo.InvariantCulture,
            $"{(int)result.Rcode} {DnsName.Format(context.LowerName)} {RecordTypeNames.ToText(context.QuestionType)}: {source}");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "{Message}")]
    private static partial void LogError(ILogger logger, string message);
}

/// <summary>The running count of one consolidation rule.</summary>
internal sealed class ConsolidationCounter
{
    private long _count;

    public ConsolidationCounter(ConsolidationRule rule) => Rule = rule;

    public ConsolidationRule Rule { get; }

    /// <summary>Counts one error; returns the count of this period so far (1: the period's first).</summary>
    public long Increment() => Interlocked.Increment(ref _count);

    /// <summary>The count since the last call, reset to zero.</summary>
    public long TakeCount() => Interlocked.Exchange(ref _count, 0);
}
