using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;

namespace ClusterDns.Server.Plugins.Kubernetes.Services;

/// <summary>
/// The records <see cref="ServiceAnswers"/> writes, one at a time, straight into the message: an owner that is
/// the question (a pointer) or a name written out, SRV targets written whole (RFC 2782: no compression), and
/// CoreDNS's SRV weights.
/// </summary>
internal static class ServiceRecords
{
    public const ushort ClassIn = (ushort)RecordClass.IN;

    /// <summary>An owner: the question (a pointer to it) or a name written out.</summary>
    public readonly ref struct Owner(ReadOnlySpan<byte> name, bool atQuestion)
    {
        public ReadOnlySpan<byte> Name { get; } = name;

        public bool AtQuestion { get; } = atQuestion;

        public bool TryBegin(ref MessageWriter writer, RecordType type, uint ttl, out RecordInProgress record) =>
            AtQuestion
                ? writer.TryBeginRecordAt(DnsHeader.Size, type, ClassIn, ttl, out record)
                : writer.TryBeginRecord(Name, type, ClassIn, ttl, out record);
    }

    public static bool TryWriteRecord(ref MessageWriter writer, Owner owner, RecordType type, uint ttl, ReadOnlySpan<byte> rdata, MessageSection section) =>
        owner.AtQuestion
            ? writer.TryWriteRecordAt(DnsHeader.Size, type, ClassIn, ttl, rdata, section)
            : writer.TryWriteRecord(owner.Name, type, ClassIn, ttl, rdata, section);

    /// <summary>An SRV record whose target is <paramref name="targetLabel"/> (a wire label, or empty) before <paramref name="targetSuffix"/>.</summary>
    public static bool TryWriteSrv(ref MessageWriter writer, Owner owner, uint ttl, ushort weight, ushort port,
        ReadOnlySpan<byte> targetLabel, ReadOnlySpan<byte> targetSuffix, MessageSection section)
    {
        if (targetLabel.Length + targetSuffix.Length > WireName.MaxLength)
        {
            return true; // such a target cannot be named: the record does not exist
        }
        Span<byte> fixedPart = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, 0);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], weight);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[4..], port);
        if (!owner.TryBegin(ref writer, RecordType.SRV, ttl, out var record))
        {
            return false;
        }
        if (!writer.TryWriteBytes(fixedPart) || !writer.TryWriteBytes(targetLabel) || !writer.TryWriteBytes(targetSuffix))
        {
            writer.Rollback(record.Start);
            return false;
        }
        writer.EndRecord(record, section);
        return true;
    }

    /// <summary>CoreDNS's weight: 100 shared evenly between the records of one priority.</summary>
    public static ushort SrvWeight(int count) => count <= 0 ? (ushort)100 : (ushort)(100 / count);
}
