using System.Globalization;
using ClusterDns.Protocol.Text;

namespace ClusterDns.Protocol;

/// <summary>A mail exchange (RFC 1035 §3.3.9).</summary>
public sealed class MxData(ushort preference, DnsName exchange) : RecordData
{
    public ushort Preference { get; } = preference;

    public DnsName Exchange { get; } = exchange;

    public override RecordType Type => RecordType.MX;

    internal override bool TryWrite(ref MessageWriter writer, bool compress) =>
        writer.TryWriteUInt16(Preference) && writer.TryWriteName(Exchange.Wire, compress);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Preference} {Exchange}");

    internal static DnsError TryRead(ref RdataReader reader, out RecordData data)
    {
        data = null!;
        if (!reader.TryReadUInt16(out ushort preference))
        {
            return DnsError.BadRdata;
        }
        var error = reader.ReadName(out var exchange);
        data = new MxData(preference, exchange);
        return error;
    }

    internal static bool TryParse(IReadOnlyList<string> fields, DnsName? origin, out RecordData data, out string error)
    {
        data = null!;
        if (!ExpectFields(fields, 2, "preference exchange", out error)
            || !PresentationText.TryParseUInt16(fields[0], "preference", out ushort preference, out error)
            || !PresentationText.TryParseName(fields[1], origin, out var exchange, out error))
        {
            return false;
        }
        data = new MxData(preference, exchange);
        return true;
    }
}
