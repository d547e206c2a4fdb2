namespace ClusterDns.Protocol.Text;

/// <summary>
/// Splits master-file text (RFC 1035 §5.1) into entries: the fields of one logical line, with parentheses
/// joining physical lines, <c>;</c> comments dropped, quoted strings kept whole (quotes included) and
/// escapes left in place for the field's own parser.
/// </summary>
internal sealed class ZoneFileTokenizer(string text)
{
    private int _position;
    private int _line = 1;

    /// <summary>False at the end of the text or on an error (then <paramref name="error"/> is set).</summary>
    public bool TryReadEntry(out ZoneFileEntry entry, out int errorLine, out string? error)
    {
        var fields = new List<string>();
        entry = default;
        error = null;
        errorLine = _line;
        int depth = 0;
        int openLine = 0;
        int entryLine = 0;
        bool startsWithBlank = false;
        bool atLineStart = true;
        while (_position < text.Length)
        {
            char c = text[_position];
            if (atLineStart && depth == 0 && fields.Count == 0)
            {
                startsWithBlank = c is ' ' or '\t';
            }
            atLineStart = false;
            switch (c)
            {
                case '\n':
                    _position++;
                    _line++;
                    atLineStart = true;
                    if (depth == 0 && fields.Count > 0)
                    {
                        entry = new ZoneFileEntry(entryLine, startsWithBlank, fields);
                        return true;
                    }
                    continue;
                case ' ' or '\t' or '\r':
                    _position++;
                    continue;
                case ';':
                    while (_position < text.Length && text[_position] != '\n')
                    {
                        _position++;
                    }
                    continue;
                case '(':
                    if (depth++ == 0)
                    {
                        openLine = _line;
                    }
                    _position++;
                    continue;
                case ')':
                    if (depth == 0)
                    {
                        errorLine = _line;
                        error = "')' without '('";
                        return false;
                    }
                    depth--;
                    _position++;
                    continue;
            }
            if (fields.Count == 0)
            {
                entryLine = _line;
            }
            int start = _position;
            if (c == '"')
            {
                _position++;
                while (true)
                {
                    if (_position >= text.Length || text[_position] == '\n')
                    {
                        errorLine = _line;
                        error = "unterminated quoted string";
                        return false;
                    }
                    char q = text[_position];
                    if (q == '\\' && _position + 1 < text.Length && text[_position + 1] != '\n')
                    {
                        _position += 2;
                        continue;
                    }
                    _position++;
                    if (q == '"')
                    {
                        break;
                    }
                }
            }
            else
            {
                while (_position < text.Length)
                {
                    char b = text[_position];
                    if (b == '\\' && _position + 1 < text.Length && text[_position + 1] != '\n')
                    {
                        _position += 2;
                        continue;
                    }
                    if (b is ' ' or '\t' or '\r' or '\n' or ';' or '(' or ')' or '"')
                    {
                        break;
                    }
                    _position++;
                }
            }
            fields.Add(text[start.._position]);
        }
        if (depth > 0)
        {
            errorLine = openLine;
            error = "'(' not closed before the end of the file";
            return false;
        }
        if (fields.Count > 0)
        {
            entry = new ZoneFileEntry(entryLine, startsWithBlank, fields);
            return true;
        }
        return false;
    }
}

/// <summary>One logical line of a master file.</summary>
/// <param name="Line">The physical line its first field is on.</param>
/// <param name="StartsWithBlank">True when the line begins with blank space: the owner is omitted.</param>
internal readonly record struct ZoneFileEntry(int Line, bool StartsWithBlank, IReadOnlyList<string> Fields);
