namespace ClusterDns.Corefile;

/// <summary>A Corefile that cannot be used, with the place and the reason: "{file}:{line}: {reason}".</summary>
public sealed class CorefileException : Exception
{
    public CorefileException(string file, int line, string reason)
        : base($"{file}:{line}: {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    public string File { get; }

    public int Line { get; }

    public string Reason { get; }

    internal static CorefileException At(Token token, string reason) => new(token.File, token.Line, reason);
}
