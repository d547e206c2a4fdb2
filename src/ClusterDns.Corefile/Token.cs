namespace ClusterDns.Corefile;

/// <summary>One word of a Corefile, with the place it came from.</summary>
public sealed class Token
{
    internal Token(string text, string file, int line, bool wasQuoted, bool startsLine, bool isStructural, int endLine)
    {
        Text = text;
        File = file;
        Line = line;
        WasQuoted = wasQuoted;
        StartsLine = startsLine;
        IsStructural = isStructural;
        EndLine = endLine;
    }

    /// <summary>The token's text after unquoting and environment substitution.</summary>
    public string Text { get; }

    public string File { get; }

    /// <summary>1-based line the token starts on.</summary>
    public int Line { get; }

    /// <summary>True when the token was written in double quotes or backquotes.</summary>
    public bool WasQuoted { get; }

    /// <summary>First token of its line; the parser splits directives on this, not on line numbers,
    /// because imported tokens keep the line numbers of the file or snippet they came from.</summary>
    internal bool StartsLine { get; }

    /// <summary>An unquoted "{" or "}"; a quoted brace is an ordinary word.</summary>
    internal bool IsStructural { get; }

    /// <summary>Line the token ends on (differs from Line for quoted tokens spanning lines).</summary>
    internal int EndLine { get; }

    internal bool IsOpenBrace => IsStructural && Text == "{";

    internal bool IsCloseBrace => IsStructural && Text == "}";

    internal Token WithText(string text) => new(text, File, Line, WasQuoted, StartsLine, IsStructural, EndLine);

    internal Token AsLineStart() => StartsLine ? this : new(Text, File, Line, WasQuoted, true, IsStructural, EndLine);

    public override string ToString() => $"{File}:{Line}: {Text}";
}
