namespace ClusterDns.Protocol.Text;

/// <summary>Why a zone file could not be read, and where: <c>file:line: message</c>.</summary>
public sealed record ZoneFileError(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}
