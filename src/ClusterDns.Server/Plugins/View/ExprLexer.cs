using System.Globalization;
using System.Text;

namespace ClusterDns.Server.Plugins.View;

internal enum ExprTokenKind : byte
{
    End,
    Number,
    String,
    Identifier,
    Operator,
    Punctuation,
}

internal readonly record struct ExprToken(ExprTokenKind Kind, string Text, int Position, long Number = 0);

/// <summary>
/// Splits an expression (expr-lang syntax) into tokens: integers, 'single' or "double" quoted strings with
/// backslash escapes, identifiers, operators and punctuation. Word operators (and, or, not, in, matches, …) are
/// identifiers here and recognised by the parser.
/// </summary>
internal static class ExprLexer
{
    private static readonly string[] Operators = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!"];

    public static bool TryTokenize(string text, out List<ExprToken> tokens, out string? error)
    {
        tokens = new List<ExprToken>();
        int i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i >= text.Length)
            {
                tokens.Add(new ExprToken(ExprTokenKind.End, string.Empty, i));
                error = null;
                return true;
            }
            char c = text[i];
            int start = i;
            if (char.IsAsciiDigit(c))
            {
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                var digits = text[start..i].Replace("_", string.Empty, StringComparison.Ordinal);
                if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long number))
                {
                    error = $"integer '{digits}' is out of range at position {start}";
                    return false;
                }
                tokens.Add(new ExprToken(ExprTokenKind.Number, digits, start, number));
                continue;
            }
            if (c is '\'' or '"')
            {
                if (!TryReadString(text, ref i, out var value, out error))
                {
                    return false;
                }
                tokens.Add(new ExprToken(ExprTokenKind.String, value, start));
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_' || c == '$')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '$'))
                {
                    i++;
                }
                tokens.Add(new ExprToken(ExprTokenKind.Identifier, text[start..i], start));
                continue;
            }
            if (c is '(' or ')' or '[' or ']' or ',')
            {
                i++;
                tokens.Add(new ExprToken(ExprTokenKind.Punctuation, c.ToString(), start));
                continue;
            }
            var op = Array.Find(Operators, o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0);
            if (op is null)
            {
                error = $"unexpected character '{c}' at position {start}";
                return false;
            }
            i += op.Length;
            tokens.Add(new ExprToken(ExprTokenKind.Operator, op, start));
        }
    }

    private static bool TryReadString(string text, ref int i, out string value, out string? error)
    {
        char quote = text[i];
        int start = i++;
        var builder = new StringBuilder();
        while (i < text.Length && text[i] != quote)
        {
            char c = text[i++];
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }
            if (i >= text.Length)
            {
                break;
            }
            char escaped = text[i++];
            builder.Append(escaped switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                _ => escaped, // \\ \' \" and anything else: the character itself
            });
        }
        if (i >= text.Length)
        {
            value = string.Empty;
            error = $"literal not terminated (string started at position {start})";
            return false;
        }
        i++;
        value = builder.ToString();
        error = null;
        return true;
    }
}
