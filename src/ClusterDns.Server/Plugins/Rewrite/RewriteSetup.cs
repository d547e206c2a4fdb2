using System.Globalization;
using System.Text.RegularExpressions;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>
/// <c>rewrite [continue|stop] FIELD ARGS…</c> or <c>rewrite [continue|stop] { name regex … \n answer name … }</c>,
/// as CoreDNS's rewrite. Several rewrite directives in a block become one handler whose rules run in order.
/// </summary>
public sealed class RewriteSetup : IPluginSetup
{
    public string Name => "rewrite";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var rule = Parse(directive);
        foreach (var handler in block.Handlers)
        {
            if (handler is RewriteHandler existing)
            {
                existing.Add(rule);
                return;
            }
        }
        block.AddHandler(new RewriteHandler(rule, block.Context.LoggerFactory.CreateLogger("ClusterDns.Plugins.Rewrite"), block.Resolver));
    }

    internal static RewriteRule Parse(Directive directive)
    {
        var args = new List<Token>(directive.Args);
        bool continues = false;
        if (args.Count > 0 && args[0].Text is "continue" or "stop")
        {
            continues = args[0].Text == "continue";
            args.RemoveAt(0);
        }
        if (directive.HasBlock)
        {
            // The block form: a name line, then answer lines (CoreDNS's strict request+response syntax).
            if (args.Count != 0 || directive.Block.Count == 0)
            {
                throw directive.Error("'rewrite': the block form is 'rewrite [continue|stop] { name … \\n answer name|value … }'");
            }
            foreach (var line in directive.Block)
            {
                args.Add(line.NameToken);
                args.AddRange(line.Args);
            }
        }
        if (args.Count == 0)
        {
            throw directive.Error("'rewrite' needs a field: name, type, class, ttl, edns0, rcode or cname");
        }
        var origin = $"{directive.File}:{directive.Line}";
        return args[0].Text switch
        {
            "name" => RewriteNameParser.Parse(directive, args, continues, origin),
            "type" => ParseType(directive, args, continues, origin),
            "class" => ParseClass(directive, args, continues, origin),
            "ttl" => ParseTtl(directive, args, continues, origin),
            "rcode" => ParseRcode(directive, args, continues, origin),
            "edns0" => Edns0Parser.Parse(directive, args, continues, origin),
            "cname" => ParseCname(directive, args, continues, origin),
            "answer" => throw args[0].Error("'rewrite answer': response rewrites must begin with a name rule"),
            _ => throw args[0].Error($"'rewrite': unknown field '{args[0].Text}' (expected name, type, class, ttl, edns0, rcode or cname)"),
        };
    }

    /// <summary><c>cname [exact|prefix|suffix|substring|regex] FROM TO</c>: FROM is matched against CNAME targets.</summary>
    private static RewriteRule ParseCname(Directive directive, List<Token> args, bool continues, string origin)
    {
        var matched = NameMatchKind.Exact;
        int first = args.Count == 4 && RewriteNameParser.TryMatchKind(args[1].Text, out matched) ? 2 : 1;
        if (first == 1 && args.Count == 4)
        {
            throw args[1].Error($"'rewrite cname': unknown match type '{args[1].Text}' (expected exact, prefix, suffix, substring or regex)");
        }
        if (args.Count != first + 2)
        {
            throw directive.Error("'rewrite cname' takes [exact|prefix|suffix|substring|regex] FROM TO");
        }
        var kind = first == 2 ? matched : NameMatchKind.Exact;
        var to = args[first + 1].Text.ToLowerInvariant();
        if (kind is NameMatchKind.Exact or NameMatchKind.Suffix && !to.EndsWith('.'))
        {
            to += ".";
        }
        return new RewriteRule
        {
            Field = RewriteField.Cname, Continue = continues, Pattern = RewriteNameParser.Pattern(args[first], kind), To = to, Origin = origin,
        };
    }

    private static RewriteRule ParseType(Directive directive, List<Token> args, bool continues, string origin)
    {
        Expect(directive, args, 3, "type FROM TO");
        if (!RecordTypeNames.TryParse(args[1].Text, out RecordType from))
        {
            throw args[1].Error($"'rewrite type': unknown type '{args[1].Text}'");
        }
        if (!RecordTypeNames.TryParse(args[2].Text, out RecordType to))
        {
            throw args[2].Error($"'rewrite type': unknown type '{args[2].Text}'");
        }
        return new RewriteRule { Field = RewriteField.Type, Continue = continues, FromType = from, ToType = to, Origin = origin };
    }

    private static RewriteRule ParseClass(Directive directive, List<Token> args, bool continues, string origin)
    {
        Expect(directive, args, 3, "class FROM TO");
        if (!RecordTypeNames.TryParse(args[1].Text, out RecordClass from))
        {
            throw args[1].Error($"'rewrite class': unknown class '{args[1].Text}'");
        }
        if (!RecordTypeNames.TryParse(args[2].Text, out RecordClass to))
        {
            throw args[2].Error($"'rewrite class': unknown class '{args[2].Text}'");
        }
        return new RewriteRule { Field = RewriteField.Class, Continue = continues, FromClass = from, ToClass = to, Origin = origin };
    }

    private static RewriteRule ParseTtl(Directive directive, List<Token> args, bool continues, string origin)
    {
        var matched = NameMatchKind.Exact;
        int first = args.Count > 1 && RewriteNameParser.TryMatchKind(args[1].Text, out matched) ? 2 : 1;
        var kind = first == 2 ? matched : NameMatchKind.Exact;
        if (args.Count != first + 2)
        {
            throw directive.Error("'rewrite ttl' takes [exact|prefix|suffix|substring|regex] NAME SECONDS|MIN-MAX");
        }
        var pattern = RewriteNameParser.Pattern(args[first], kind);
        var text = args[first + 1].Text;
        int dash = text.IndexOf('-');
        var low = dash < 0 ? text : text[..dash];
        var high = dash < 0 ? text : text[(dash + 1)..];
        // CoreDNS: "-MAX" and "MIN-" leave the other end open.
        if (!TryTtl(low, 0, out uint min) || !TryTtl(high, uint.MaxValue, out uint max) || min > max || (dash < 0 && low.Length == 0))
        {
            throw args[first + 1].Error($"'rewrite ttl': '{text}' is not SECONDS or MIN-MAX");
        }
        return new RewriteRule { Field = RewriteField.Ttl, Continue = continues, Pattern = pattern, TtlMin = min, TtlMax = max, Origin = origin };
    }

    private static RewriteRule ParseRcode(Directive directive, List<Token> args, bool continues, string origin)
    {
        var matched = NameMatchKind.Exact;
        int first = args.Count > 1 && RewriteNameParser.TryMatchKind(args[1].Text, out matched) ? 2 : 1;
        if (args.Count != first + 3)
        {
            throw directive.Error("'rewrite rcode' takes [exact|prefix|suffix|substring|regex] NAME FROM TO");
        }
        return new RewriteRule
        {
            Field = RewriteField.Rcode, Continue = continues, Pattern = RewriteNameParser.Pattern(args[first], first == 2 ? matched : NameMatchKind.Exact),
            FromRcode = ParseRcodeValue(args[first + 1]), ToRcode = ParseRcodeValue(args[first + 2]), Origin = origin,
        };
    }

    private static ResponseCode ParseRcodeValue(Token token)
    {
        if (ushort.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort number) && number <= 4095)
        {
            return (ResponseCode)number;
        }
        if (RecordTypeNames.TryParseRcode(token.Text, out var named))
        {
            return named;
        }
        throw token.Error($"'rewrite rcode': unknown response code '{token.Text}'");
    }

    private static bool TryTtl(string text, uint empty, out uint value)
    {
        if (text.Length == 0)
        {
            value = empty;
            return true;
        }
        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= int.MaxValue;
    }

    internal static void Expect(Directive directive, List<Token> args, int count, string usage)
    {
        if (args.Count != count)
        {
            throw directive.Error($"'rewrite {usage}' expected");
        }
    }
}
