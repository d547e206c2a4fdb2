using System.Buffers.Binary;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.K8sExternal;

/// <summary>
/// Writing single records of the outside zone: owners are the question (a pointer) or a name written out;
/// SRV and CNAME targets are written whole (RFC 2782 forbids compressing an SRV target).
/// </summary>
internal static class K8sExternalRecords
{
    private const ushort ClassIn = (ushort)RecordClass.IN;

    public static bool TryWriteAtQuestion(ref MessageWriter writer, RecordType type, uint ttl, ReadOnlySpan<byte> rdata) =>
        writer.TryWriteRecordAt(DnsHeader.Size, type, ClassIn, ttl, rdata, MessageSection.Answer);

    /// <summary>An address in additional, owned by <paramref name="label"/> (a wire label, or empty) before <paramref name="suffix"/>.</summary>
    public static bool TryWriteAdditional(ref MessageWriter writer, ReadOnlySpan<byte> label, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> address, uint ttl)
    {
        if (label.Length + suffix.Length > WireName.MaxLength)
        {
            return true;
        }
        Span<byte> owner = stackalloc byte[label.Length + suffix.Length];
        label.CopyTo(owner);
        suffix.CopyTo(owner[label.Length..]);
        var type = address.Length == 4 ? RecordType.A : RecordType.AAAA;
        return writer.TryWriteRecord(owner, type, ClassIn, ttl, address, MessageSection.Additional);
    }

    /// <summary>SRV at the question, priority 0, to <paramref name="targetLabel"/> (a wire label, or empty) + <paramref name="targetSuffix"/>.</summary>
    public static bool TryWriteSrv(ref MessageWriter writer, uint ttl, ushort weight, ushort port, ReadOnlySpan<byte> targetLabel, ReadOnlySpan<byte> targetSuffix)
    {
        if (targetLabel.Length + targetSuffix.Length > WireName.MaxLength)
        {
            return true; // such a target cannot be named: the record does not exist
        }
        if (!writer.TryBeginRecordAt(DnsHeader.Size, RecordType.SRV, ClassIn, ttl, out var record))
        {
            return false;
        }
        Span<byte> fixedPart = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, 0);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], weight);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[4..], port);
        if (!writer.TryWriteBytes(fixedPart) || !writer.TryWriteBytes(targetLabel) || !writer.TryWriteBytes(targetSuffix))
        {
            writer.Rollback(record.Start);
            return false;
        }
        writer.EndRecord(record, MessageSection.Answer);
        return true;
    }

    /// <summary>CoreDNS's SRV weight: 100 shared evenly between the records of one priority, at least 1.</summary>
    public static ushort SrvWeight(int count) => count <= 1 ? (ushort)100 : (ushort)Math.Max(1, 100 / count);
}
