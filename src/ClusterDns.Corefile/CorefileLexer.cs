using System.Text;

namespace ClusterDns.Corefile;

/// <summary>
/// Splits Corefile text into tokens the way CoreDNS's Caddyfile lexer does: words separated by white space,
/// "#" starts a comment to the end of the line (outside quotes), "…" quotes with \" and \\ escapes and
/// `…` raw quotes may span lines, and a quote only opens at the start of a word.
/// </summary>
internal static class CorefileLexer
{
    public static List<Token> Tokenize(string text, string file, Func<string, string?> environment)
    {
        var tokens = new List<Token>();
        var word = new StringBuilder();
        int line = 1;
        int lastTokenLine = 0;
        int i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            i = 1;
        }

        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            int startLine = line;
            // The word after an unquoted "{" begins a sub-directive even on the same line: "health { lameduck 5s }".
            bool startsLine = startLine != lastTokenLine || (tokens.Count > 0 && tokens[^1].IsOpenBrace);
            if (c == '"' || c == '`')
            {
                i = ReadQuoted(text, i, c, word, ref line, file);
                string value = c == '"' ? EnvironmentSubstitution.Apply(word.ToString(), environment) : word.ToString();
                tokens.Add(new Token(value, file, startLine, wasQuoted: true, startsLine, isStructural: false, endLine: line));
            }
            else
            {
                // An unquoted word runs to white space or a comment; quotes inside it are literal.
                int start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '#')
                {
                    i++;
                }

                string raw = text[start..i];
                bool structural = raw is "{" or "}";
                string value = structural ? raw : EnvironmentSubstitution.Apply(raw, environment);
                if (value.Length == 0)
                {
                    // An unquoted {$UNSET} disappears, as an unquoted empty shell variable does.
                    continue;
                }

                tokens.Add(new Token(value, file, startLine, wasQuoted: false, startsLine, structural, endLine: line));
            }

            lastTokenLine = line;
            word.Clear();
        }

        return tokens;
    }

    private static int ReadQuoted(string text, int i, char quote, StringBuilder word, ref int line, string file)
    {
        int openLine = line;
        i++;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == quote)
            {
                return i + 1;
            }

            if (quote == '"' && c == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
            {
                word.Append(text[i + 1]);
                i += 2;
                continue;
            }

            if (c == '\n')
            {
                line++;
            }

            if (c != '\r')
            {
                word.Append(c);
            }

            i++;
        }

        string what = quote == '"' ? "quoted string" : "raw (backquoted) string";
        throw new CorefileException(file, openLine, $"unterminated {what}");
    }
}
