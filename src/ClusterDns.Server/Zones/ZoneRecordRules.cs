using System.Diagnostics.CodeAnalysis;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// What may be in a zone, shared by building a zone whole (<see cref="AuthoritativeZone.TryCreate"/>) and editing it
/// (<see cref="ZoneEdit"/>), so both refuse the same records with the same reasons.
/// </summary>
internal static class ZoneRecordRules
{
    /// <summary>False (with the reason) when <paramref name="record"/> cannot be a record of the zone at <paramref name="origin"/>.</summary>
    public static bool TryCheckRecord(DnsName origin, DnsRecord record, [NotNullWhen(false)] out string? error)
    {
        if (record.Class != RecordClass.IN)
        {
            error = $"record '{record}' is not of class IN";
            return false;
        }
        if (!record.Name.IsSubdomainOf(origin))
        {
            error = $"record '{record}' is outside zone {origin}";
            return false;
        }
        if (record.Type is RecordType.OPT or RecordType.AXFR or RecordType.IXFR or RecordType.ANY)
        {
            error = $"record '{record}' has a type that cannot be in a zone";
            return false;
        }
        if (record.Type == RecordType.SOA && !record.Name.Equals(origin))
        {
            error = $"SOA record '{record}' is not at the zone apex {origin}";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>
    /// False (with the reason) when a name's CNAME breaks RFC 1034 §3.6.2 (one CNAME, and no other data beside it).
    /// </summary>
    /// <param name="cnameRecords">Records in the name's CNAME RRset, 0 when it has none.</param>
    /// <param name="rrsetCount">RRsets the name holds, the CNAME's included.</param>
    public static bool TryCheckCname(ReadOnlySpan<byte> owner, int cnameRecords, int rrsetCount, [NotNullWhen(false)] out string? error)
    {
        if (cnameRecords > 1)
        {
            error = $"{DnsName.Format(owner)} has more than one CNAME record";
            return false;
        }
        if (cnameRecords == 1 && rrsetCount > 1)
        {
            error = $"{DnsName.Format(owner)} has a CNAME record and other data";
            return false;
        }
        error = null;
        return true;
    }
}
