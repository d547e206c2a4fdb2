using System.Globalization;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Template;

/// <summary>
/// Tries the block's templates in order; the first whose zone, class, type and a regex match answers.
/// A query outside every template's zone, class or type goes to the next plugin without allocating; a regex miss
/// without <c>fallthrough</c> is SERVFAIL, as CoreDNS does.
/// </summary>
internal sealed class TemplateHandler : DnsHandler
{
    /// <summary>A presentation name: 255 octets, each at most 4 characters (<c>\DDD</c>).</summary>
    private const int MaxNameChars = 1024;

    private TemplateRule[] _rules;
    private readonly TemplateMetrics _metrics;
    private readonly InternalResolver? _resolver;

    public TemplateHandler(TemplateRule rule, TemplateMetrics metrics, InternalResolver? resolver)
    {
        _rules = [rule];
        _metrics = metrics;
        _resolver = resolver;
    }

    public override string Name => "template";

    internal void Add(TemplateRule rule) => _rules = [.. _rules, rule];

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var name = context.LowerName;
        var qtype = context.QuestionType;
        var qclass = context.Query.Class;
        Span<char> text = stackalloc char[MaxNameChars];
        int textLength = -1;
        foreach (var rule in _rules)
        {
            int zone = MatchingZone(name, rule.Zones);
            if (zone < 0
                || (rule.Class != RecordClass.ANY && qclass != RecordClass.ANY && qclass != rule.Class)
                || (rule.Type != RecordType.ANY && qtype != RecordType.ANY && qtype != rule.Type))
            {
                continue;
            }
            if (textLength < 0)
            {
                textLength = TemplateNames.Format(name, text);
            }
            foreach (var regex in rule.Regexes)
            {
                if (regex.IsMatch(text[..textLength]))
                {
                    return TemplateAnswer.ServeAsync(this, context, rule, regex, rule.ZoneTexts[zone], _metrics, _resolver);
                }
            }
            if (rule.Fallthrough is null || (rule.Fallthrough.Length > 0 && MatchingZone(name, rule.Fallthrough) < 0))
            {
                return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.ServFail));
            }
        }
        return NextAsync(context);
    }

    /// <summary>The most specific zone containing <paramref name="name"/>, as CoreDNS's plugin.Zones.Matches.</summary>
    private static int MatchingZone(ReadOnlySpan<byte> name, byte[][] zones)
    {
        int best = -1;
        for (int i = 0; i < zones.Length; i++)
        {
            if (WireName.IsSubdomainOf(name, zones[i]) && (best < 0 || zones[i].Length > zones[best].Length))
            {
                best = i;
            }
        }
        return best;
    }

    internal ValueTask<HandlerResult> PassOn(DnsQueryContext context) => NextAsync(context);
}
