using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// Writes pre-encoded RDATA into a message, compressing the embedded names of the RFC 1035 types
/// (NS, CNAME, PTR, MX, SOA) as RFC 3597 §4 allows; every other type is copied as it is.
/// </summary>
internal static class RdataWriter
{
    public static bool TryWrite(RecordType type, ReadOnlySpan<byte> rdata, ref MessageWriter writer)
    {
        switch (type)
        {
            case RecordType.NS:
            case RecordType.CNAME:
            case RecordType.PTR:
                return writer.TryWriteName(rdata);
            case RecordType.MX:
                return writer.TryWriteBytes(rdata[..2]) && writer.TryWriteName(rdata[2..]);
            case RecordType.SOA:
                int mname = NameLength(rdata);
                int rname = NameLength(rdata[mname..]);
                return writer.TryWriteName(rdata[..mname])
                    && writer.TryWriteName(rdata.Slice(mname, rname))
                    && writer.TryWriteBytes(rdata[(mname + rname)..]);
            default:
                return writer.TryWriteBytes(rdata);
        }
    }

    /// <summary>Length of the uncompressed wire name at the start of <paramref name="data"/> (zone data: well formed).</summary>
    public static int NameLength(ReadOnlySpan<byte> data)
    {
        int i = 0;
        while (data[i] != 0)
        {
            i += data[i] + 1;
        }
        return i + 1;
    }
}
