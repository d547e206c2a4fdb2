using System.Globalization;
using ClusterDns.Protocol.Text;

namespace ClusterDns.Protocol;

/// <summary>A service location (RFC 2782).</summary>
public sealed class SrvData(ushort priority, ushort weight, ushort port, DnsName target) : RecordData
{
    public ushort Priority { get; } = priority;
    public ushort Weight { get; } = weight;
    public ushort Port { get; } = port;
    public DnsName Target { get; } = target;

    public override RecordType Type => RecordType.SRV;

    // RFC 2782: the target is never compressed.
    internal override bool TryWrite(ref MessageWriter writer, bool compress) =>
        writer.TryWriteUInt16(Priority) && writer.TryWriteUInt16(Weight) && writer.TryWriteUInt16(Port)
        && writer.TryWriteName(Target.Wire, compress: false);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Priority} {Weight} {Port} {Target}");

    internal static DnsError TryRead(ref RdataReader reader, out RecordData data)
    {
        data = null!;
        if (!reader.TryReadUInt16(out ushort priority) || !reader.TryReadUInt16(out ushort weight) || !reader.TryReadUInt16(out ushort port))
        {
            return DnsError.BadRdata;
        }
        // Accepted even when compressed: some servers do it, and reading it costs nothing.
        var error = reader.ReadName(out var target);
        data = new SrvData(priority, weight, port, target);
        return error;
    }

    internal static bool TryParse(IReadOnlyList<string> fields, DnsName? origin, out RecordData data, out string error)
    {
        data = null!;
        if (!ExpectFields(fields, 4, "priority weight port target", out error)
            || !PresentationText.TryParseUInt16(fields[0], "priority", out ushort priority, out error)
            || !PresentationText.TryParseUInt16(fields[1], "weight", out ushort weight, out error)
            || !PresentationText.TryParseUInt16(fields[2], "port", out ushort port, out error)
            || !PresentationText.TryParseName(fields[3], origin, out var target, out error))
        {
            return false;
        }
        data = new SrvData(priority, weight, port, target);
        return true;
    }
}
