using System.Globalization;
using System.Text;

namespace ClusterDns.Server.Plugins.Template;

/// <summary>
/// The Go text/template subset CoreDNS's template README uses: literal text and <c>{{ … }}</c> actions
/// (with <c>{{-</c>/<c>-}}</c> trimming) holding one command: a field path (<c>.Name</c>, <c>.Group.a</c>),
/// <c>index X KEY</c>, <c>parseInt S BASE BITS</c>, <c>printf "%s" ARGS…</c>, string and number literals.
/// Parsed once at start-up; executing it only allocates the output.
/// </summary>
internal sealed class TemplateText
{
    private readonly object[] _parts; // string literal or TemplateExpression
    public string Source { get; }

    private TemplateText(string source, object[] parts)
    {
        Source = source;
        _parts = parts;
    }

    public static bool TryParse(string source, out TemplateText template, out string error)
    {
        template = null!;
        var parts = new List<object>();
        int i = 0;
        while (i < source.Length)
        {
            int open = source.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(source[i..]);
                break;
            }
            string literal = source[i..open];
            int start = open + 2;
            if (start < source.Length && source[start] == '-' && start + 1 < source.Length && char.IsWhiteSpace(source[start + 1]))
            {
                literal = literal.TrimEnd();
                start++;
            }
            if (literal.Length > 0)
            {
                parts.Add(literal);
            }
            int close = source.IndexOf("}}", start, StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"unclosed action at offset {open}";
                return false;
            }
            int end = close;
            bool trimAfter = end - 2 >= start && source[end - 1] == '-' && char.IsWhiteSpace(source[end - 2]);
            if (trimAfter)
            {
                end--;
            }
            if (!TemplateExpression.TryParse(source[start..end], out var expression, out error))
            {
                error = $"in action '{{{{{source[start..end]}}}}}': {error}";
                return false;
            }
            parts.Add(expression);
            i = close + 2;
            if (trimAfter)
            {
                while (i < source.Length && char.IsWhiteSpace(source[i]))
                {
                    i++;
                }
            }
        }
        template = new TemplateText(source, parts.ToArray());
        error = "";
        return true;
    }

    public bool TryExecute(TemplateData data, out string text, out string error)
    {
        var builder = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part is string literal)
            {
                builder.Append(literal);
                continue;
            }
            if (!((TemplateExpression)part).TryEvaluate(data, out var value, out error))
            {
                text = "";
                return false;
            }
            TemplateExpression.Print(builder, value);
        }
        text = builder.ToString();
        error = "";
        return true;
    }

    public override string ToString() => Source;
}
