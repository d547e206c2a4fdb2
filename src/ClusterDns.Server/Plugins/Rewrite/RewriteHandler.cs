using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>
/// CoreDNS's rewrite: rules run in order on the question (each sees the previous rules' result, until a
/// <c>stop</c> rule applies); the rewritten request is what later handlers see; the response goes back to the
/// client with its own question and, for name rules, the rewritten names turned back. Queries no rule matches
/// pass on without allocating; only matched queries copy the request.
/// </summary>
internal sealed partial class RewriteHandler : DnsHandler
{
    /// <summary>Longest presentation form of a 255-byte name (every byte as \DDD is not needed: we match plain text).</summary>
    private const int MaxNameText = 256;

    private readonly ILogger _logger;
    private RewriteRule[] _rules;

    public RewriteHandler(RewriteRule rule, ILogger logger)
    {
        _rules = [rule];
        _logger = logger;
    }

    public override string Name => "rewrite";

    internal IReadOnlyList<RewriteRule> Rules => _rules;

    internal void Add(RewriteRule rule) => _rules = [.. _rules, rule];

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        if (context.Query.NameLength == 0)
        {
            return NextAsync(context);
        }
        Span<char> text = stackalloc char[MaxNameText];
        int length = NameText.Format(context.LowerName, text);
        var name = text[..length];
        foreach (var rule in _rules)
        {
            if (rule.Matches(name, context.QuestionType, context.Query.Class))
            {
                return RewriteAsync(context, name.ToString());
            }
        }
        return NextAsync(context);
    }

    private async ValueTask<HandlerResult> RewriteAsync(DnsQueryContext context, string original)
    {
        var saved = context.Request.ToArray();
        int questionEnd = context.Query.QuestionEnd;
        var applied = new List<RewriteRule>();
        string name = original;
        var type = context.QuestionType;
        var recordClass = context.Query.Class;
        foreach (var rule in _rules)
        {
            if (!rule.Matches(name, type, recordClass))
            {
                continue;
            }
            switch (rule.Field)
            {
                case RewriteField.Name:
                    var next = NameText.Qualify(rule.Pattern!.Replace(name, rule.To));
                    if (!DnsName.TryParse(next, out _, out var error))
                    {
                        if (rule.FirstInvalid())
                        {
                            LogInvalid(rule.Origin, original, next, error ?? "invalid name");
                        }
                        return HandlerResult.NotWritten(ResponseCode.ServFail);
                    }
                    name = next.ToLowerInvariant();
                    break;
                case RewriteField.Type:
                    type = rule.ToType;
                    break;
                case RewriteField.Class:
                    recordClass = rule.ToClass;
                    break;
            }
            applied.Add(rule);
            if (!rule.Continue)
            {
                break;
            }
        }
        bool questionChanged = name != original || type != context.QuestionType || recordClass != context.Query.Class;
        if (questionChanged)
        {
            // An unchanged name keeps the client's exact bytes (its case, and labels text cannot round-trip).
            var wire = name == original ? saved.AsSpan(DnsHeader.Size, context.Query.NameLength) : DnsName.Parse(name).Wire;
            context.ReplaceRequest(BuildRequest(saved, questionEnd, wire, type, recordClass));
        }
        var result = await NextAsync(context).ConfigureAwait(false);
        if (result.IsWritten && !result.IsDropped && context.ResponseLength > 0)
        {
            var rcode = ResponseRewriter.Rewrite(context, saved, original, name, applied);
            return rcode == result.Rcode ? result : HandlerResult.Written(rcode);
        }
        if (questionChanged)
        {
            context.ReplaceRequest(saved);
        }
        return result.IsWritten ? result : HandlerResult.NotWritten(ResponseRewriter.RewriteRcode(result.Rcode, applied));
    }

    /// <summary>The request with a new question: same header, same sections after the question (OPT included).</summary>
    private static byte[] BuildRequest(byte[] saved, int questionEnd, ReadOnlySpan<byte> wire, RecordType type, RecordClass recordClass)
    {
        var request = new byte[DnsHeader.Size + wire.Length + 4 + saved.Length - questionEnd];
        saved.AsSpan(0, DnsHeader.Size).CopyTo(request);
        wire.CopyTo(request.AsSpan(DnsHeader.Size));
        int position = DnsHeader.Size + wire.Length;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(position), (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(position + 2), (ushort)recordClass);
        saved.AsSpan(questionEnd).CopyTo(request.AsSpan(position + 4));
        return request;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "rewrite rule at {Origin} turned {Original} into an invalid name {Result}: {Reason}; answering SERVFAIL (logged once per rule)")]
    private partial void LogInvalid(string origin, string original, string result, string reason);
}
