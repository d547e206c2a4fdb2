using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// What changed from one version of a zone to the next, as one IXFR difference sequence sends it (RFC 1995 §4):
/// the old SOA, the records deleted, the new SOA, the records added. A changed record (a new address, a new TTL) is
/// one deletion and one addition.
/// </summary>
public sealed record ZoneDifference(DnsRecord FromSoa, DnsRecord ToSoa, IReadOnlyList<DnsRecord> Deleted, IReadOnlyList<DnsRecord> Added)
{
    public uint FromSerial => ((SoaData)FromSoa.Data).Serial;

    public uint ToSerial => ((SoaData)ToSoa.Data).Serial;

    /// <summary>Records this difference puts on the wire, its two SOAs included.</summary>
    public int RecordCount => Deleted.Count + Added.Count + 2;

    /// <summary>The difference from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static ZoneDifference Between(ZoneSnapshot from, ZoneSnapshot to)
    {
        var deleted = new List<DnsRecord>();
        foreach (var record in from.Records)
        {
            if (!to.Records.Contains(record))
            {
                deleted.Add(record);
            }
        }
        var added = new List<DnsRecord>();
        foreach (var record in to.Records)
        {
            if (!from.Records.Contains(record))
            {
                added.Add(record);
            }
        }
        return new ZoneDifference(from.Soa, to.Soa, deleted, added);
    }
}
