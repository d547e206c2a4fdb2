using System.Globalization;
using System.Text.RegularExpressions;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Template;

/// <summary>
/// <c>template CLASS TYPE [ZONE…] { match REGEX…; answer RR; additional RR; authority RR; rcode CODE;
/// ederror CODE [REASON]; fallthrough [ZONE…]; upstream }</c>, as CoreDNS's template plugin. All template
/// directives of a server block share one handler and are tried in Corefile order.
/// </summary>
public sealed class TemplateSetup : IPluginSetup
{
    /// <summary>Regexes run on names of at most 255 octets; the limit only stops a pathological pattern.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public string Name => "template";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var rule = Parse(directive, block.Zones);
        foreach (var handler in block.Handlers)
        {
            if (handler is TemplateHandler existing)
            {
                existing.Add(rule);
                return;
            }
        }
        string server = "dns://:" + block.Port.ToString(CultureInfo.InvariantCulture);
        block.AddHandler(new TemplateHandler(rule, new TemplateMetrics(block.Context.Metrics, server), block.Resolver));
    }

    internal static TemplateRule Parse(Directive directive, IReadOnlyList<DnsName> blockZones)
    {
        if (directive.Args.Count < 2)
        {
            throw directive.Error("'template' needs CLASS and TYPE: template CLASS TYPE [ZONE...] { ... }");
        }
        if (!RecordTypeNames.TryParse(directive.Args[0].Text, out RecordClass recordClass))
        {
            throw directive.Args[0].Error($"'template': invalid query class '{directive.Args[0].Text}'");
        }
        if (!RecordTypeNames.TryParse(directive.Args[1].Text, out RecordType type))
        {
            throw directive.Args[1].Error($"'template': invalid RR type '{directive.Args[1].Text}'");
        }
        var zones = ZoneArguments.OrBlock(directive.Args, 2, blockZones);
        var regexes = new List<Regex>();
        var answer = new List<TemplateText>();
        var additional = new List<TemplateText>();
        var authority = new List<TemplateText>();
        var rcode = ResponseCode.NoError;
        ushort? ede = null;
        string edeReason = "";
        byte[][]? fallthrough = null;
        foreach (var line in directive.Block)
        {
            if (line.HasBlock)
            {
                throw line.Error($"'template': '{line.Name}' takes no block");
            }
            switch (line.Name)
            {
                case "match":
                    ExpectArgs(line, 1);
                    foreach (var arg in line.Args)
                    {
                        regexes.Add(ParseRegex(arg));
                    }
                    break;
                case "answer": answer.Add(ParseTemplate(line)); break;
                case "additional": additional.Add(ParseTemplate(line)); break;
                case "authority": authority.Add(ParseTemplate(line)); break;
                case "rcode":
                    line.ExpectArgCount(1, 1);
                    rcode = ParseRcode(line.Args[0]);
                    break;
                case "ederror":
                    line.ExpectArgCount(1, 2);
                    if (!ushort.TryParse(line.Args[0].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code > 24)
                    {
                        throw line.Args[0].Error($"'template': invalid extended error code '{line.Args[0].Text}' (0 to 24, RFC 8914)");
                    }
                    ede = code;
                    edeReason = line.Args.Count > 1 ? line.Args[1].Text : "";
                    break;
                case "fallthrough":
                    fallthrough = ZoneArguments.Parse(line.Args).Select(z => z.ToLower().Wire.ToArray()).ToArray();
                    break;
                case "upstream":
                    // CoreDNS 1.14 always resolves CNAME targets; `upstream` is accepted and ignored there too.
                    break;
                default:
                    throw line.Error($"'template': unknown property '{line.Name}'");
            }
        }
        if (regexes.Count == 0)
        {
            regexes.Add(new Regex(".*", RegexOptions.CultureInvariant, MatchTimeout));
        }
        return new TemplateRule
        {
            Zones = zones.Select(z => z.ToLower().Wire.ToArray()).ToArray(),
            ZoneTexts = zones.Select(z => z.ToLower().ToString()).ToArray(),
            Class = recordClass,
            Type = type,
            Regexes = [.. regexes],
            Answer = [.. answer],
            Additional = [.. additional],
            Authority = [.. authority],
            Rcode = rcode,
            ExtendedError = ede,
            ExtendedErrorReason = edeReason,
            Fallthrough = fallthrough,
        };
    }

    private static void ExpectArgs(Directive line, int min)
    {
        if (line.Args.Count < min)
        {
            throw line.Error($"'template': '{line.Name}' needs at least {min} argument");
        }
    }

    private static Regex ParseRegex(Token token)
    {
        try
        {
            // Go's RE2 names groups (?P<name>…); .NET spells them (?<name>…).
            string pattern = token.Text.Replace("(?P<", "(?<", StringComparison.Ordinal);
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw token.Error($"'template': invalid regex '{token.Text}': {e.Message}");
        }
    }

    private static TemplateText ParseTemplate(Directive line)
    {
        line.ExpectArgCount(1, 1);
        var token = line.Args[0];
        if (!TemplateText.TryParse(token.Text, out var template, out var error))
        {
            throw token.Error($"'template': {line.Name} template does not parse: {error}");
        }
        return template;
    }

    private static ResponseCode ParseRcode(Token token) =>
        RecordTypeNames.TryParseRcode(token.Text, out var rcode) ? rcode : throw token.Error($"'template': invalid rcode '{token.Text}'");
}
