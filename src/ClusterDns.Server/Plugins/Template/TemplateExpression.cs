using System.Globalization;
using System.Text;

namespace ClusterDns.Server.Plugins.Template;

/// <summary>One action's command: a term, or a function (<c>index</c>, <c>parseInt</c>, <c>printf</c>) applied to terms.</summary>
internal sealed class TemplateExpression
{
    private static readonly string[] Fields = ["Zone", "Name", "Class", "Type", "Regex", "Match", "Group", "Remote", "Message", "Question"];

    private readonly string? _function;
    private readonly Term[] _terms;

    private TemplateExpression(string? function, Term[] terms)
    {
        _function = function;
        _terms = terms;
    }

    /// <summary>A field path (<c>.Group.a</c>) or a literal.</summary>
    private readonly record struct Term(string[]? Path, object? Literal);

    public static bool TryParse(string text, out TemplateExpression expression, out string error)
    {
        expression = null!;
        var words = new List<string>();
        if (!TrySplit(text, words, out error))
        {
            return false;
        }
        if (words.Count == 0)
        {
            error = "missing value for command";
            return false;
        }
        string? function = null;
        int first = 0;
        if (words[0] == ".Meta")
        {
            // CoreDNS's method {{ .Meta "label" }}: the query's metadata (the metadata plugin), "" when none.
            if (words.Count != 2)
            {
                error = $"wrong number of args for Meta: want 1 got {words.Count - 1}";
                return false;
            }
            function = "Meta";
            first = 1;
        }
        else if (char.IsLetter(words[0][0]))
        {
            function = words[0];
            first = 1;
            int wanted = function switch { "index" => 2, "parseInt" => 3, "printf" => -1, _ => 0 };
            if (wanted == 0)
            {
                error = $"function \"{function}\" not defined";
                return false;
            }
            if ((wanted > 0 && words.Count - 1 != wanted) || (wanted < 0 && words.Count < 2))
            {
                error = $"wrong number of args for {function}: want {(wanted > 0 ? wanted : "at least 1")} got {words.Count - 1}";
                return false;
            }
        }
        else if (words.Count > 1)
        {
            error = $"can't give argument to non-function {words[0]}";
            return false;
        }
        var terms = new Term[words.Count - first];
        for (int i = first; i < words.Count; i++)
        {
            if (!TryParseTerm(words[i], out terms[i - first], out error))
            {
                return false;
            }
        }
        expression = new TemplateExpression(function, terms);
        return true;
    }

    private static bool TrySplit(string text, List<string> words, out string error)
    {
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            int start = i;
            if (text[i] is '"' or '`')
            {
                char quote = text[i++];
                while (i < text.Length && text[i] != quote)
                {
                    i += quote == '"' && text[i] == '\\' ? 2 : 1;
                }
                if (i >= text.Length)
                {
                    error = "unterminated quoted string";
                    return false;
                }
                i++;
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    if (text[i] is '|' or '(' or ')' or '$')
                    {
                        error = $"'{text[i]}' (pipelines, parentheses and variables) is outside the supported template subset";
                        return false;
                    }
                    i++;
                }
            }
            words.Add(text[start..i]);
        }
        error = "";
        return true;
    }

    private static bool TryParseTerm(string word, out Term term, out string error)
    {
        term = default;
        error = "";
        if (word[0] == '.')
        {
            var path = word.Length == 1 ? [] : word[1..].Split('.');
            if (path.Length > 0 && Array.IndexOf(Fields, path[0]) < 0)
            {
                error = $"can't evaluate field {path[0]}";
                return false;
            }
            if (path.Length > 2 || (path.Length == 2 && path[0] != "Group"))
            {
                error = $"can't evaluate field {path[^1]} of .{path[0]}";
                return false;
            }
            term = new Term(path, null);
            return true;
        }
        if (word[0] == '`')
        {
            term = new Term(null, word[1..^1]);
            return true;
        }
        if (word[0] == '"')
        {
            try
            {
                term = new Term(null, System.Text.RegularExpressions.Regex.Unescape(word[1..^1]));
                return true;
            }
            catch (ArgumentException)
            {
                error = $"bad string literal {word}";
                return false;
            }
        }
        if (long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
        {
            term = new Term(null, number);
            return true;
        }
        error = $"unexpected \"{word}\" in command";
        return false;
    }

    public bool TryEvaluate(TemplateData data, out object? value, out string error)
    {
        value = null;
        error = "";
        var args = new object?[_terms.Length];
        for (int i = 0; i < args.Length; i++)
        {
            if (!TryEvaluate(_terms[i], data, out args[i], out error))
            {
                return false;
            }
        }
        switch (_function)
        {
            case null:
                value = args[0];
                return true;
            case "index":
                return TryIndex(args[0], args[1], out value, out error);
            case "parseInt":
                return TryParseInt(args, out value, out error);
            case "Meta":
                value = data.Meta(args[0] as string ?? "");
                return true;
            default:
                return TryPrintf(args, out value, out error);
        }
    }

    private static bool TryEvaluate(Term term, TemplateData data, out object? value, out string error)
    {
        error = "";
        if (term.Path is null)
        {
            value = term.Literal;
            return true;
        }
        if (term.Path.Length == 0)
        {
            value = data;
            return true;
        }
        value = term.Path[0] switch
        {
            "Zone" => data.Zone,
            "Name" => data.Name,
            "Class" => data.Class,
            "Type" => data.Type,
            "Regex" => data.Regex,
            "Match" => data.Match,
            "Group" => data.Group,
            "Remote" => data.Remote,
            "Message" => data.Message(),
            _ => data.Question,
        };
        if (term.Path.Length == 2)
        {
            // Go yields the zero value for a missing map key: "<no value>" when printed.
            value = data.Group.TryGetValue(term.Path[1], out var group) ? group : null;
        }
        return true;
    }

    private static bool TryIndex(object? collection, object? key, out object? value, out string error)
    {
        value = null;
        error = "";
        switch (collection, key)
        {
            case (string[] match, long n):
                if (n < 0 || n >= match.Length)
                {
                    error = $"error calling index: index out of range: {n}";
                    return false;
                }
                value = match[n];
                return true;
            case (Dictionary<string, string> groups, string name):
                value = groups.TryGetValue(name, out var group) ? group : null;
                return true;
            default:
                error = "error calling index: cannot index that value with that key";
                return false;
        }
    }

    /// <summary>strconv.ParseUint(s, base, bits).</summary>
    private static bool TryParseInt(object?[] args, out object? value, out string error)
    {
        value = null;
        error = "";
        if (args[0] is not string text || args[1] is not long numberBase || args[2] is not long bits || bits is < 0 or > 64)
        {
            error = "error calling parseInt: wrong argument types (want string, base, bit size)";
            return false;
        }
        try
        {
            ulong parsed = numberBase == 10 ? ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : Convert.ToUInt64(text, (int)numberBase);
            if (bits is > 0 and < 64 && parsed >> (int)bits != 0)
            {
                error = $"error calling parseInt: strconv.ParseUint: parsing \"{text}\": value out of range";
                return false;
            }
            value = parsed;
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            error = $"error calling parseInt: strconv.ParseUint: parsing \"{text}\": invalid syntax";
            return false;
        }
    }

    /// <summary>printf with %s, %d and %v only: enough to join values.</summary>
    private static bool TryPrintf(object?[] args, out object? value, out string error)
    {
        value = null;
        error = "";
        if (args[0] is not string format)
        {
            error = "error calling printf: format is not a string";
            return false;
        }
        var builder = new StringBuilder();
        int next = 1;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }
            char verb = format[++i];
            if (verb == '%')
            {
                builder.Append('%');
            }
            else if (next < args.Length)
            {
                Print(builder, args[next++]);
            }
            else
            {
                builder.Append("%!").Append(verb).Append("(MISSING)");
            }
        }
        value = builder.ToString();
        return true;
    }

    public static void Print(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null: builder.Append("<no value>"); break;
            case string text: builder.Append(text); break;
            case string[] list: builder.Append('[').AppendJoin(' ', list).Append(']'); break;
            case IFormattable number: builder.Append(number.ToString(null, CultureInfo.InvariantCulture)); break;
            default: builder.Append(value); break;
        }
    }
}
