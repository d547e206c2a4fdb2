using System.Text.RegularExpressions;
using ClusterDns.Corefile;

namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>Parses <c>name [exact|prefix|suffix|substring|regex] FROM TO [answer auto | answer name F T | answer value F T]…</c>.</summary>
internal static class RewriteNameParser
{
    public static RewriteRule Parse(Directive directive, List<Token> args, bool continues, string origin)
    {
        var matched = NameMatchKind.Exact;
        int first = args.Count > 1 && TryMatchKind(args[1].Text, out matched) ? 2 : 1;
        var kind = first == 2 ? matched : NameMatchKind.Exact;
        if (args.Count < first + 2)
        {
            throw directive.Error("'rewrite name' takes [exact|prefix|suffix|substring|regex] FROM TO [answer auto|name|value …]");
        }
        var pattern = Pattern(args[first], kind);
        var to = args[first + 1].Text.ToLowerInvariant();
        if (kind is NameMatchKind.Exact or NameMatchKind.Suffix && !to.EndsWith('.'))
        {
            to += ".";
        }
        var mode = AnswerMode.Auto;
        Regex? answerFrom = null, valueFrom = null;
        string answerTo = string.Empty, valueTo = string.Empty;
        int i = first + 2;
        while (i < args.Count)
        {
            if (args[i].Text != "answer" || i + 1 >= args.Count)
            {
                throw args[i].Error($"'rewrite name': unexpected '{args[i].Text}' (expected 'answer auto', 'answer name FROM TO' or 'answer value FROM TO')");
            }
            var what = args[i + 1];
            if (what.Text == "auto")
            {
                i += 2;
                continue;
            }
            if (what.Text is not ("name" or "value") || i + 3 >= args.Count)
            {
                throw what.Error("'rewrite name': 'answer' takes auto, 'name FROM TO' or 'value FROM TO'");
            }
            var regex = Compile(args[i + 2]);
            if (what.Text == "name")
            {
                mode = AnswerMode.Name;
                answerFrom = regex;
                answerTo = args[i + 3].Text;
            }
            else
            {
                valueFrom = regex;
                valueTo = args[i + 3].Text;
            }
            i += 4;
        }
        return new RewriteRule
        {
            Field = RewriteField.Name, Continue = continues, Pattern = pattern, To = to, Answer = mode,
            AnswerFrom = answerFrom, AnswerTo = answerTo, ValueFrom = valueFrom, ValueTo = valueTo, Origin = origin,
        };
    }

    /// <summary>True when <paramref name="text"/> names a match type; otherwise <paramref name="kind"/> is exact, the default.</summary>
    public static bool TryMatchKind(string text, out NameMatchKind kind)
    {
        kind = text switch
        {
            "prefix" => NameMatchKind.Prefix,
            "suffix" => NameMatchKind.Suffix,
            "substring" => NameMatchKind.Substring,
            "regex" => NameMatchKind.Regex,
            _ => NameMatchKind.Exact,
        };
        return kind != NameMatchKind.Exact || text == "exact";
    }

    public static NamePattern Pattern(Token token, NameMatchKind kind)
    {
        if (kind == NameMatchKind.Regex)
        {
            return new NamePattern(kind, token.Text, Compile(token));
        }
        var from = token.Text.ToLowerInvariant();
        // exact and suffix compare fully qualified names, as CoreDNS normalises them.
        if (kind is NameMatchKind.Exact or NameMatchKind.Suffix && !from.EndsWith('.'))
        {
            from += ".";
        }
        return new NamePattern(kind, from, null);
    }

    public static Regex Compile(Token token)
    {
        try
        {
            // Linear time, as Go's RE2 that CoreDNS uses: a client's name cannot make a match run long.
            return new Regex(token.Text, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw token.Error($"'rewrite': invalid regular expression '{token.Text}': {e.Message}");
        }
    }
}
