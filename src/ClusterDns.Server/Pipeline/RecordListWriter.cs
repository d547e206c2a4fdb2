using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>Writes parsed records (a template's, a re-resolved answer's) into a response, whole records only.</summary>
public static class RecordListWriter
{
    /// <summary>False when a record did not fit: what was written stays, the record that did not fit is rolled back.</summary>
    public static bool TryWriteAll(ref MessageWriter writer, List<DnsRecord> records, MessageSection section)
    {
        foreach (var record in records)
        {
            if (!writer.TryBeginRecord(record.Name.Wire, record.Type, (ushort)record.Class, record.Ttl, out var inProgress))
            {
                return false;
            }
            if (!record.Data.TryWrite(ref writer))
            {
                writer.Rollback(inProgress.Start);
                return false;
            }
            writer.EndRecord(inProgress, section);
        }
        return true;
    }
}
