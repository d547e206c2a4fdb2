using System.Globalization;
using ClusterDns.Protocol.Text;

namespace ClusterDns.Protocol;

/// <summary>Start of a zone of authority (RFC 1035 §3.3.13); <see cref="Minimum"/> is the negative-caching TTL (RFC 2308).</summary>
public sealed class SoaData(DnsName primaryNameServer, DnsName responsibleMailbox, uint serial, uint refresh, uint retry, uint expire, uint minimum)
    : RecordData
{
    /// <summary>MNAME.</summary>
    public DnsName PrimaryNameServer { get; } = primaryNameServer;

    /// <summary>RNAME: the mailbox, its first label being the local part.</summary>
    public DnsName ResponsibleMailbox { get; } = responsibleMailbox;

    public uint Serial { get; } = serial;
    public uint Refresh { get; } = refresh;
    public uint Retry { get; } = retry;
    public uint Expire { get; } = expire;
    public uint Minimum { get; } = minimum;

    public override RecordType Type => RecordType.SOA;

    internal override bool TryWrite(ref MessageWriter writer, bool compress) =>
        writer.TryWriteName(PrimaryNameServer.Wire, compress)
        && writer.TryWriteName(ResponsibleMailbox.Wire, compress)
        && writer.TryWriteUInt32(Serial)
        && writer.TryWriteUInt32(Refresh)
        && writer.TryWriteUInt32(Retry)
        && writer.TryWriteUInt32(Expire)
        && writer.TryWriteUInt32(Minimum);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{PrimaryNameServer} {ResponsibleMailbox} {Serial} {Refresh} {Retry} {Expire} {Minimum}");

    internal static DnsError TryRead(ref RdataReader reader, out RecordData data)
    {
        data = null!;
        var error = reader.ReadName(out var mname);
        if (error == DnsError.None)
        {
            error = reader.ReadName(out var rname);
            if (error == DnsError.None)
            {
                if (!reader.TryReadUInt32(out uint serial) || !reader.TryReadUInt32(out uint refresh) || !reader.TryReadUInt32(out uint retry)
                    || !reader.TryReadUInt32(out uint expire) || !reader.TryReadUInt32(out uint minimum))
                {
                    return DnsError.BadRdata;
                }
                data = new SoaData(mname, rname, serial, refresh, retry, expire, minimum);
            }
        }
        return error;
    }

    internal static bool TryParse(IReadOnlyList<string> fields, DnsName? origin, out RecordData data, out string error)
    {
        data = null!;
        if (!ExpectFields(fields, 7, "mname rname serial refresh retry expire minimum", out error)
            || !PresentationText.TryParseName(fields[0], origin, out var mname, out error)
            || !PresentationText.TryParseName(fields[1], origin, out var rname, out error)
            || !PresentationText.TryParseUInt32(fields[2], "serial", out uint serial, out error)
            || !PresentationText.TryParseTime(fields[3], "refresh", out uint refresh, out error)
            || !PresentationText.TryParseTime(fields[4], "retry", out uint retry, out error)
            || !PresentationText.TryParseTime(fields[5], "expire", out uint expire, out error)
            || !PresentationText.TryParseTime(fields[6], "minimum", out uint minimum, out error))
        {
            return false;
        }
        data = new SoaData(mname, rname, serial, refresh, retry, expire, minimum);
        return true;
    }
}
