using System.Buffers.Binary;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// Where the records of a response sit, read once without allocating: the header, the end of the question,
/// the records up to (not including) the OPT record, the full RCODE and the TTLs a cache needs.
/// Shared by forward (copying an upstream reply) and cache (storing and replaying a response).
/// </summary>
internal struct ResponseLayout
{
    public DnsHeader Header;

    /// <summary>Offset just past the (single) question.</summary>
    public int QuestionEnd;

    /// <summary>Offset just past the last record kept: the OPT record and anything after it are left out.</summary>
    public int BodyEnd;

    public ushort AnswerCount;
    public ushort AuthorityCount;
    public ushort AdditionalCount;

    /// <summary>The 12-bit RCODE: header bits plus the OPT record's extended bits.</summary>
    public ResponseCode Rcode;

    /// <summary>Smallest TTL of the records kept; <see cref="uint.MaxValue"/> when there are none.</summary>
    public uint MinTtl;

    /// <summary>min(SOA TTL, SOA MINIMUM) of an SOA in the authority section (RFC 2308); <see cref="uint.MaxValue"/> when absent.</summary>
    public uint NegativeTtl;

    /// <summary>The body: the records after the question, without OPT.</summary>
    public readonly ReadOnlySpan<byte> Body(ReadOnlySpan<byte> message) => message[QuestionEnd..BodyEnd];

    /// <summary>
    /// Reads a response with exactly one question that ends at <paramref name="questionEnd"/> (the caller
    /// checked the question). Offsets of every kept record's TTL are added to <paramref name="ttlOffsets"/>
    /// when given. False for anything malformed.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, int questionEnd, out ResponseLayout layout, List<int>? ttlOffsets = null)
    {
        layout = default;
        if (!DnsHeader.TryRead(message, out layout.Header) || questionEnd < DnsHeader.Size || questionEnd > message.Length)
        {
            return false;
        }
        layout.QuestionEnd = questionEnd;
        layout.MinTtl = uint.MaxValue;
        layout.NegativeTtl = uint.MaxValue;
        int extendedRcode = 0;
        var reader = new MessageReader(message, questionEnd);
        int answers = layout.Header.AnswerCount;
        int authority = layout.Header.AuthorityCount;
        int total = answers + authority + layout.Header.AdditionalCount;
        layout.BodyEnd = questionEnd;
        for (int i = 0; i < total; i++)
        {
            int recordStart = reader.Position;
            if (reader.SkipName() != DnsError.None
                || reader.ReadRecordTail(out var type, out _, out uint ttl, out int rdataOffset, out int rdataLength) != DnsError.None)
            {
                return false;
            }
            if (type == RecordType.OPT)
            {
                if (i < answers + authority)
                {
                    return false;
                }
                // Our own OPT replaces it; records after it (rare) are additional data we may drop.
                extendedRcode = (int)(ttl >> 24);
                layout.BodyEnd = recordStart;
                break;
            }
            if (i < answers)
            {
                layout.AnswerCount++;
            }
            else if (i < answers + authority)
            {
                layout.AuthorityCount++;
                if (type == RecordType.SOA && rdataLength >= 20)
                {
                    uint minimum = BinaryPrimitives.ReadUInt32BigEndian(message.Slice(rdataOffset + rdataLength - 4, 4));
                    layout.NegativeTtl = Math.Min(layout.NegativeTtl, Math.Min(ttl, minimum));
                }
            }
            else
            {
                layout.AdditionalCount++;
            }
            layout.MinTtl = Math.Min(layout.MinTtl, ttl);
            ttlOffsets?.Add(rdataOffset - 6);
            layout.BodyEnd = reader.Position;
        }
        layout.Rcode = (ResponseCode)((extendedRcode << 4) | layout.Header.Rcode);
        return true;
    }
}
