using System.Buffers;
using System.Globalization;
using System.Text;
using ClusterDns.Protocol.Text;

namespace ClusterDns.Protocol;

/// <summary>
/// The typed RDATA of a resource record. Reading never throws on bad input: every failure is a
/// <see cref="DnsError"/> (wire) or an error string (presentation). Types without a class here are
/// <see cref="UnknownData"/> and round-trip through the RFC 3597 generic form.
/// </summary>
public abstract class RecordData : IEquatable<RecordData>
{
    /// <summary>The largest RDATA a record can carry (RDLENGTH is 16 bits).</summary>
    public const int MaxLength = ushort.MaxValue;

    private protected RecordData()
    {
    }

    public abstract RecordType Type { get; }

    /// <summary>
    /// Writes the RDATA at the writer's position. Names are compressed only in the RFC 1035 types
    /// NS, CNAME, SOA, PTR and MX (RFC 3597 §4); false (and a partial write the caller rolls back) when it does not fit.
    /// </summary>
    public bool TryWrite(ref MessageWriter writer) => TryWrite(ref writer, compress: true);

    /// <param name="compress">False when the RDATA must stand alone (pre-encoding, <see cref="ToWire"/>).</param>
    internal abstract bool TryWrite(ref MessageWriter writer, bool compress);

    /// <summary>The presentation form (zone-file RDATA).</summary>
    public abstract override string ToString();

    /// <summary>Uncompressed RDATA, e.g. to pre-encode a record for the answer path.</summary>
    public byte[] ToWire()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(DnsHeader.Size + MaxLength);
        try
        {
            var writer = new MessageWriter(buffer, DnsHeader.Size + MaxLength);
            if (!TryWrite(ref writer, compress: false))
            {
                throw new InvalidOperationException($"{RecordTypeNames.ToText(Type)} RDATA is longer than {MaxLength} bytes.");
            }
            return buffer.AsSpan(DnsHeader.Size, writer.Position - DnsHeader.Size).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads the RDATA of a record of <paramref name="type"/>. Names may be compression pointers into
    /// <paramref name="message"/>; the RDATA must be consumed exactly (else <see cref="DnsError.BadRdata"/>).
    /// On failure <paramref name="data"/> holds the raw bytes as <see cref="UnknownData"/>.
    /// </summary>
    public static DnsError TryRead(RecordType type, ReadOnlySpan<byte> message, int rdataOffset, int rdataLength, out RecordData data)
    {
        if (rdataOffset < 0 || rdataLength < 0 || rdataLength > message.Length - rdataOffset)
        {
            data = new UnknownData(type, []);
            return DnsError.Truncated;
        }
        var reader = new RdataReader(message, rdataOffset, rdataLength);
        var error = type switch
        {
            RecordType.A => AData.TryRead(ref reader, out data),
            RecordType.AAAA => AaaaData.TryRead(ref reader, out data),
            RecordType.NS => NsData.TryRead(ref reader, out data),
            RecordType.CNAME => CNameData.TryRead(ref reader, out data),
            RecordType.PTR => PtrData.TryRead(ref reader, out data),
            RecordType.SOA => SoaData.TryRead(ref reader, out data),
            RecordType.MX => MxData.TryRead(ref reader, out data),
            RecordType.TXT => TxtData.TryRead(ref reader, out data),
            RecordType.SRV => SrvData.TryRead(ref reader, out data),
            RecordType.CAA => CaaData.TryRead(ref reader, out data),
            RecordType.OPT => OptData.TryRead(ref reader, out data),
            _ => UnknownData.TryRead(type, ref reader, out data),
        };
        if (error == DnsError.None && !reader.IsAtEnd)
        {
            error = DnsError.BadRdata;
        }
        if (error != DnsError.None)
        {
            data = new UnknownData(type, message.Slice(rdataOffset, rdataLength).ToArray());
        }
        return error;
    }

    /// <summary>
    /// Parses presentation-form RDATA. <paramref name="fields"/> are the raw whitespace-separated fields
    /// as written (quotes kept, escapes not applied). Relative names get <paramref name="origin"/> appended,
    /// <c>@</c> is the origin. The RFC 3597 generic form <c>\# length hex…</c> is accepted for every type.
    /// </summary>
    public static bool TryParse(RecordType type, IReadOnlyList<string> fields, DnsName? origin, out RecordData data, out string error)
    {
        data = new UnknownData(type, []);
        if (fields.Count > 0 && fields[0] == @"\#")
        {
            return TryParseGeneric(type, fields, out data, out error);
        }
        return type switch
        {
            RecordType.A => AData.TryParse(fields, out data, out error),
            RecordType.AAAA => AaaaData.TryParse(fields, out data, out error),
            RecordType.NS => NsData.TryParse(fields, origin, out data, out error),
            RecordType.CNAME => CNameData.TryParse(fields, origin, out data, out error),
            RecordType.PTR => PtrData.TryParse(fields, origin, out data, out error),
            RecordType.SOA => SoaData.TryParse(fields, origin, out data, out error),
            RecordType.MX => MxData.TryParse(fields, origin, out data, out error),
            RecordType.TXT => TxtData.TryParse(fields, out data, out error),
            RecordType.SRV => SrvData.TryParse(fields, origin, out data, out error),
            RecordType.CAA => CaaData.TryParse(fields, out data, out error),
            _ => Fail($"{RecordTypeNames.ToText(type)} RDATA must be in the RFC 3597 generic form \\# <length> <hex>", out error),
        };
    }

    /// <summary>RFC 3597 §5: <c>\# length hex</c>, hex possibly split in several fields; known types are decoded.</summary>
    private static bool TryParseGeneric(RecordType type, IReadOnlyList<string> fields, out RecordData data, out string error)
    {
        data = new UnknownData(type, []);
        if (fields.Count < 2 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int length) || length > MaxLength)
        {
            return Fail(@"generic RDATA needs \# <length 0-65535> <hex>", out error);
        }
        var hex = new StringBuilder();
        for (int i = 2; i < fields.Count; i++)
        {
            hex.Append(fields[i]);
        }
        if (!PresentationText.TryParseHex(hex.ToString(), out var bytes))
        {
            return Fail($"generic RDATA has bad hex '{hex}'", out error);
        }
        if (bytes.Length != length)
        {
            return Fail($"generic RDATA says {length} bytes but has {bytes.Length}", out error);
        }
        var readError = TryRead(type, bytes, 0, bytes.Length, out data);
        if (readError != DnsError.None)
        {
            return Fail($"generic RDATA is not valid {RecordTypeNames.ToText(type)} RDATA ({readError})", out error);
        }
        error = "";
        return true;
    }

    private protected static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }

    private protected static bool ExpectFields(IReadOnlyList<string> fields, int count, string form, out string error)
    {
        if (fields.Count == count)
        {
            error = "";
            return true;
        }
        return Fail($"expected {count} RDATA field{(count == 1 ? "" : "s")} ({form}), got {fields.Count}", out error);
    }

    public bool Equals(RecordData? other) =>
        other is not null && other.Type == Type && ToWire().AsSpan().SequenceEqual(other.ToWire());

    public override bool Equals(object? obj) => obj is RecordData other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.AddBytes(ToWire());
        return hash.ToHashCode();
    }
}
