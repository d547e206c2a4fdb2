using System.Globalization;
using System.Text;

namespace ClusterDns.Protocol;

/// <summary>Opaque RDATA of a type without its own class here (RFC 3597): kept and written as bytes.</summary>
public sealed class UnknownData : RecordData
{
    public UnknownData(RecordType type, byte[] data)
    {
        if (data.Length > MaxLength)
        {
            throw new ArgumentException($"RDATA holds at most {MaxLength} bytes.", nameof(data));
        }
        Type = type;
        Data = data;
    }

    public override RecordType Type { get; }

    public byte[] Data { get; }

    // Names inside unknown RDATA are never compressed (RFC 3597 §4): the bytes go out as they are.
    internal override bool TryWrite(ref MessageWriter writer, bool compress) => writer.TryWriteBytes(Data);

    /// <summary>RFC 3597 §5: <c>\# length hex</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(@"\# ").Append(Data.Length.ToString(CultureInfo.InvariantCulture));
        if (Data.Length > 0)
        {
            text.Append(' ').Append(Convert.ToHexStringLower(Data));
        }
        return text.ToString();
    }

    internal static DnsError TryRead(RecordType type, ref RdataReader reader, out RecordData data)
    {
        data = new UnknownData(type, reader.ReadRest().ToArray());
        return DnsError.None;
    }
}
