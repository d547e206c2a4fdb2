using System.Buffers.Binary;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Minimal;

/// <summary>
/// Classifies a finished response as CoreDNS's response.Typify does and, for a plain positive answer, cuts the
/// authority and additional sections in place, keeping the OPT record. Reads only; allocates nothing.
/// </summary>
internal static class ResponseMinimizer
{
    /// <summary>The new length of <paramref name="message"/> (unchanged when it is not a plain positive answer).</summary>
    public static int Minimize(Span<byte> message, int questionEnd)
    {
        if (!DnsHeader.TryRead(message, out var header) || header.QuestionCount != 1 || questionEnd <= DnsHeader.Size
            || questionEnd > message.Length || header.Opcode is Opcode.Notify or Opcode.Update
            || (header.AuthorityCount == 0 && header.AdditionalCount == 0))
        {
            return message.Length;
        }
        var qtype = (RecordType)BinaryPrimitives.ReadUInt16BigEndian(message[(questionEnd - 4)..]);
        if (qtype is RecordType.AXFR or RecordType.IXFR)
        {
            return message.Length;
        }
        if (!TryScan(message, questionEnd, header, out var scan) || !IsPlainPositive(header, scan))
        {
            return message.Length;
        }
        int optLength = scan.OptEnd - scan.OptStart;
        if (optLength > 0)
        {
            message[scan.OptStart..scan.OptEnd].CopyTo(message[scan.AnswerEnd..]);
        }
        BinaryPrimitives.WriteUInt16BigEndian(message[8..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(message[10..], (ushort)(optLength > 0 ? 1 : 0));
        return scan.AnswerEnd + optLength;
    }

    /// <summary>CoreDNS's NoError type: NOERROR with answers, or NOERROR with neither an SOA nor NS in authority.</summary>
    private static bool IsPlainPositive(DnsHeader header, in Scan scan)
    {
        int rcode = (scan.ExtendedRcode << 4) | header.Rcode;
        if (rcode != 0)
        {
            return false;
        }
        return header.AnswerCount > 0 || (!scan.AuthorityHasSoa && !scan.AuthorityHasNs);
    }

    private static bool TryScan(ReadOnlySpan<byte> message, int questionEnd, DnsHeader header, out Scan scan)
    {
        scan = default;
        var reader = new MessageReader(message, questionEnd);
        int answers = header.AnswerCount;
        int authority = header.AuthorityCount;
        int total = answers + authority + header.AdditionalCount;
        scan.AnswerEnd = questionEnd;
        for (int i = 0; i < total; i++)
        {
            int start = reader.Position;
            if (reader.SkipName() != DnsError.None
                || reader.ReadRecordTail(out var type, out _, out uint ttl, out _, out _) != DnsError.None)
            {
                return false;
            }
            if (i < answers)
            {
                scan.AnswerEnd = reader.Position;
            }
            else if (i < answers + authority)
            {
                scan.AuthorityHasSoa |= type == RecordType.SOA;
                scan.AuthorityHasNs |= type == RecordType.NS;
            }
            else if (type == RecordType.OPT && scan.OptStart == scan.OptEnd)
            {
                scan.OptStart = start;
                scan.OptEnd = reader.Position;
                scan.ExtendedRcode = (int)(ttl >> 24);
            }
        }
        return true;
    }

    private struct Scan
    {
        public int AnswerEnd;
        public int OptStart;
        public int OptEnd;
        public int ExtendedRcode;
        public bool AuthorityHasSoa;
        public bool AuthorityHasNs;
    }
}
