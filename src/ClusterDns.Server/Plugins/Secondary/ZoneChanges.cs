using System.Diagnostics.CodeAnalysis;
using ClusterDns.Protocol;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Secondary;

/// <summary>Applies IXFR difference sequences to the version a secondary holds (RFC 1995 §4), strictly.</summary>
internal static class ZoneChanges
{
    /// <summary>
    /// The version after every difference, in order; false when a sequence does not start at the serial reached so
    /// far, or deletes a record we do not hold (the primary's idea of our version is not ours: a whole transfer follows).
    /// </summary>
    public static bool TryApply(ZoneSnapshot from, IReadOnlyList<ZoneDifference> differences, [NotNullWhen(true)] out ZoneSnapshot? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var records = new HashSet<DnsRecord>(from.Records);
        var soa = from.Soa;
        foreach (var difference in differences)
        {
            if (difference.FromSerial != ((SoaData)soa.Data).Serial)
            {
                error = $"a sequence starts at serial {difference.FromSerial}, we are at {((SoaData)soa.Data).Serial}";
                return false;
            }
            foreach (var record in difference.Deleted)
            {
                if (!records.Remove(record))
                {
                    error = $"it deletes {record}, which we do not hold";
                    return false;
                }
            }
            foreach (var record in difference.Added)
            {
                records.Add(record);
            }
            soa = difference.ToSoa;
        }
        result = new ZoneSnapshot(soa, records);
        error = null;
        return true;
    }
}
