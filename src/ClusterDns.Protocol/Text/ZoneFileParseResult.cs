namespace ClusterDns.Protocol.Text;

/// <summary>The records of a zone file in file order, or the first error (and then no records).</summary>
public sealed class ZoneFileParseResult
{
    private ZoneFileParseResult(IReadOnlyList<DnsRecord> records, ZoneFileError? error)
    {
        Records = records;
        Error = error;
    }

    public IReadOnlyList<DnsRecord> Records { get; }

    public ZoneFileError? Error { get; }

    public bool Succeeded => Error is null;

    internal static ZoneFileParseResult Success(IReadOnlyList<DnsRecord> records) => new(records, null);

    internal static ZoneFileParseResult Failure(ZoneFileError error) => new([], error);
}
