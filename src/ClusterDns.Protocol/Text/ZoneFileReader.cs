namespace ClusterDns.Protocol.Text;

/// <summary>
/// Reads RFC 1035 §5 master files: $ORIGIN, $TTL, $INCLUDE, parentheses, <c>@</c>, relative names, omitted
/// owner/TTL/class, TTL and class in either order, comments, quoted strings, BIND TTL units.
/// Stops at the first error and names its file and line.
/// </summary>
public static class ZoneFileReader
{
    /// <summary>How deep $INCLUDE may nest.</summary>
    public const int MaxIncludeDepth = 8;

    /// <summary>Reads the zone file at <paramref name="path"/>; <paramref name="origin"/> is the initial $ORIGIN (usually the zone's name).</summary>
    public static ZoneFileParseResult Read(string path, DnsName? origin = null)
    {
        if (!ZoneFileParser.TryReadText(path, out string text, out string? error))
        {
            return ZoneFileParseResult.Failure(new ZoneFileError(path, 0, error!));
        }
        return new ZoneFileParser().Parse(text, path, origin);
    }

    /// <summary>Reads zone text from <paramref name="reader"/>; <paramref name="fileName"/> names it in errors and anchors relative $INCLUDEs.</summary>
    public static ZoneFileParseResult Read(TextReader reader, string fileName, DnsName? origin = null) =>
        new ZoneFileParser().Parse(reader.ReadToEnd(), fileName, origin);
}
