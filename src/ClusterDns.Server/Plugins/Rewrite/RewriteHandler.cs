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
    private readonly InternalResolver? _resolver;
    private RewriteRule[] _rules;

    public RewriteHandler(RewriteRule rule, ILogger logger, InternalResolver? resolver = null)
    {
        _rules = [rule];
        _logger = logger;
        _resolver = resolver;
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
        var edns = context.Query.Edns;
        var options = edns.IsPresent ? context.Request.Slice(edns.OptionsOffset, edns.OptionsLength) : default;
        foreach (var rule in _rules)
        {
            bool applies = rule.Edns0 is { } edns0
                ? edns0.MightApply(edns.IsPresent, options)
                : rule.Matches(name, context.QuestionType, context.Query.Class);
            if (applies)
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
        var originalEdns = context.Query.Edns;
        var applied = new List<RewriteRule>();
        string name = original;
        var type = context.QuestionType;
        var recordClass = context.Query.Class;
        List<EdnsOption>? options = null;
        bool ednsPresent = originalEdns.IsPresent;
        RewriteRule? lastEdns0 = null;
        foreach (var rule in _rules)
        {
            if (rule.Edns0 is { } edns0)
            {
                options ??= Edns0Options.Read(ednsPresent ? saved.AsSpan(originalEdns.OptionsOffset, originalEdns.OptionsLength) : default);
                // {qname} is the client's own spelling until a name rule changed it (CoreDNS's state.QName()).
                var qname = name == original ? ClientText(saved.AsSpan(DnsHeader.Size, context.Query.NameLength)) : name;
                var facts = new Edns0Facts(qname, type, context.RemoteEndPoint, context.Transport == TransportKind.Tcp, context.LocalPort);
                if (!edns0.Apply(options, ref ednsPresent, facts))
                {
                    continue; // CoreDNS's RewriteIgnored: the rule did nothing, so it does not stop later rules
                }
                lastEdns0 = rule;
            }
            else if (!rule.Matches(name, type, recordClass))
            {
                continue;
            }
            switch (rule.Field)
            {
                case RewriteField.Name:
                    var next = NameText.Qualify(rule.Pattern!.Replace(name, rule.To));
                    if (!DnsName.TryParse(next, out _, out var error))
                    {
                        LogInvalidOnce(rule, original, next, error ?? "invalid name");
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
        byte[] request = saved;
        if (lastEdns0 is not null)
        {
            // The options are what later handlers see: forward sends this OPT upstream as it stands.
            var withOptions = Edns0Options.WithOptions(saved, originalEdns, options!);
            if (withOptions is null)
            {
                LogInvalidOnce(lastEdns0, original, "OPT", "the request would exceed 65535 bytes");
                return HandlerResult.NotWritten(ResponseCode.ServFail);
            }
            request = withOptions;
        }
        if (questionChanged)
        {
            // An unchanged name keeps the client's exact bytes (its case, and labels text cannot round-trip).
            var wire = name == original ? saved.AsSpan(DnsHeader.Size, context.Query.NameLength) : DnsName.Parse(name).Wire;
            request = BuildRequest(request, questionEnd, wire, type, recordClass);
        }
        bool requestChanged = !ReferenceEquals(request, saved);
        if (requestChanged)
        {
            context.ReplaceRequest(request);
        }
        var result = await NextAsync(context).ConfigureAwait(false);
        if (result.IsWritten && !result.IsDropped && context.ResponseLength > 0)
        {
            if (applied.Exists(rule => rule.Field == RewriteField.Cname))
            {
                var cname = await CnameTargetRewriter.RewriteAsync(context, applied, _resolver, LogInvalidOnce).ConfigureAwait(false);
                if (cname is { IsWritten: false } failed)
                {
                    if (requestChanged)
                    {
                        context.ReplaceRequest(saved);
                    }
                    return failed;
                }
                result = cname ?? result;
            }
            // The client gets its own question and an OPT built from its own (none if it sent none, RFC 6891 §7).
            if (requestChanged || applied.Exists(rule => rule.Field is RewriteField.Name or RewriteField.Ttl or RewriteField.Rcode))
            {
                var rcode = ResponseRewriter.Rewrite(context, saved, original, name, applied);
                return rcode == result.Rcode ? result : HandlerResult.Written(rcode);
            }
            return result;
        }
        if (requestChanged)
        {
            context.ReplaceRequest(saved);
        }
        return result.IsWritten ? result : HandlerResult.NotWritten(ResponseRewriter.RewriteRcode(result.Rcode, applied));
    }

    private static string ClientText(ReadOnlySpan<byte> wire)
    {
        Span<char> text = stackalloc char[MaxNameText];
        return new string(text[..NameText.Format(wire, text)]);
    }

    /// <summary>Logs a rule's invalid result the first time only: a rule that keeps producing one logs once, not per query.</summary>
    private void LogInvalidOnce(RewriteRule rule, string original, string result, string reason)
    {
        if (rule.FirstInvalid())
        {
            LogInvalid(rule.Origin, original, result, reason);
        }
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

    [LoggerMessage(Level = LogLevel.Error, Message = "rewrite rule at {Origin} turned {Original} into an invalid name or option ({Result}): {Reason}; answering SERVFAIL (logged once per rule)")]
    private partial void LogInvalid(string origin, string original, string result, string reason);
}
