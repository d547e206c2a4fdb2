using System.Diagnostics;
using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Log;

/// <summary>
/// Wraps the rest of the chain and queues one log entry per query matching a rule. Like CoreDNS's log plugin
/// it writes the bare error response itself when no handler wrote one, so the entry has the real size and flags.
/// </summary>
internal sealed class LogHandler : DnsHandler
{
    private readonly QueryLogWriter _writer;
    private LogRule[] _rules = [];

    public LogHandler(QueryLogWriter writer) => _writer = writer;

    public override string Name => "log";

    internal IReadOnlyList<LogRule> Rules => _rules;

    /// <summary>Setup only: every <c>log</c> directive of a block adds its rules to the one handler.</summary>
    internal void AddRules(IEnumerable<LogRule> rules) => _rules = [.. _rules, .. rules];

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var pending = NextAsync(context);
        if (pending.IsCompletedSuccessfully)
        {
            return new ValueTask<HandlerResult>(Record(context, pending.Result));
        }
        return AwaitNextAsync(pending, context);
    }

    private async ValueTask<HandlerResult> AwaitNextAsync(ValueTask<HandlerResult> pending, DnsQueryContext context) =>
        Record(context, await pending.ConfigureAwait(false));

    private HandlerResult Record(DnsQueryContext context, HandlerResult result)
    {
        if (!result.IsWritten)
        {
            context.WriteBareResponse(result.Rcode);
            result = HandlerResult.Written(result.Rcode);
        }
        var rule = Match(context, result.Rcode);
        if (rule is not null)
        {
            DnsHeader.TryRead(context.Response, out var response);
            var query = context.Query;
            _writer.Enqueue(new QueryLogEntry(
                rule,
                context.RemoteEndPoint,
                query.Header.Id,
                query.Header.Opcode,
                query.Type,
                query.Class,
                context.LowerName.ToArray(),
                context.Transport,
                context.RequestLength,
                query.Edns.DnssecOk,
                query.Edns.IsPresent ? query.Edns.UdpPayloadSize : 512,
                result.Rcode,
                response.Flags,
                context.ResponseLength,
                Stopwatch.GetElapsedTime(context.StartTimestamp),
                CaptureMetadata(context, rule)));
        }
        return result;
    }

    /// <summary>The values of the format's <c>{/label}</c> placeholders, read now: the context is reused after the query.</summary>
    private static string?[]? CaptureMetadata(DnsQueryContext context, LogRule rule)
    {
        if (rule.MetadataLabels.Length == 0)
        {
            return null;
        }
        var values = new string?[rule.MetadataLabels.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = context.GetMetadata(rule.MetadataLabels[i]);
        }
        return values;
    }

    private LogRule? Match(DnsQueryContext context, ResponseCode rcode)
    {
        var responseClass = Classify(context, rcode);
        foreach (var rule in _rules)
        {
            if ((rule.Classes & responseClass) != 0 && WireName.IsSubdomainOf(context.LowerName, rule.ScopeWire))
            {
                return rule;
            }
        }
        return null;
    }

    /// <summary>CoreDNS's classes: NOERROR with answers is success, NXDOMAIN or NODATA is denial, the rest error.</summary>
    internal static ResponseClasses Classify(DnsQueryContext context, ResponseCode rcode)
    {
        if (rcode == ResponseCode.NXDomain)
        {
            return ResponseClasses.Denial;
        }
        if (rcode != ResponseCode.NoError)
        {
            return ResponseClasses.Error;
        }
        return DnsHeader.TryRead(context.Response, out var header) && header.AnswerCount > 0
            ? ResponseClasses.Success
            : ResponseClasses.Denial;
    }
}
