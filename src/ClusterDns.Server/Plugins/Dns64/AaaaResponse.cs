using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Dns64;

/// <summary>
/// What dns64 needs to know of the response the rest of the chain gave to an AAAA question, read in place
/// without allocating: its RCODE, whether it was truncated, whether it holds an AAAA record that counts,
/// and the TTL of the SOA in its authority section.
/// </summary>
internal readonly struct AaaaResponse
{
    /// <summary>RFC 6147 section 5.1.7: without an SOA the synthetic records live at most 600 seconds.</summary>
    public const uint DefaultSoaTtl = 600;

    public AaaaResponse(ResponseCode rcode, bool truncated, bool hasAaaa, uint soaTtl)
    {
        Rcode = rcode;
        Truncated = truncated;
        HasAaaa = hasAaaa;
        SoaTtl = soaTtl;
    }

    public ResponseCode Rcode { get; }

    public bool Truncated { get; }

    /// <summary>An AAAA record in the answer section outside ::ffff:0:0/96 (RFC 6147 section 5.1.4).</summary>
    public bool HasAaaa { get; }

    /// <summary>The authority SOA's TTL (already min(TTL, MINIMUM) in a negative answer, RFC 2308 section 3), else 600.</summary>
    public uint SoaTtl { get; }

    /// <summary>A response the chain did not write: just its RCODE.</summary>
    public static AaaaResponse Bare(ResponseCode rcode) => new(rcode, truncated: false, hasAaaa: false, DefaultSoaTtl);

    /// <summary>Reads <paramref name="message"/>, whose single question ends at <paramref name="questionEnd"/>. False when malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, int questionEnd, out AaaaResponse response)
    {
        response = default;
        if (!DnsHeader.TryRead(message, out var header) || questionEnd < DnsHeader.Size || questionEnd > message.Length)
        {
            return false;
        }
        var reader = new MessageReader(message, questionEnd);
        int answers = header.AnswerCount;
        int authority = header.AuthorityCount;
        int total = answers + authority + header.AdditionalCount;
        bool hasAaaa = false;
        uint soaTtl = DefaultSoaTtl;
        int extendedRcode = 0;
        for (int i = 0; i < total; i++)
        {
            if (reader.SkipName() != DnsError.None
                || reader.ReadRecordTail(out var type, out ushort recordClass, out uint ttl, out int rdataOffset, out int rdataLength) != DnsError.None)
            {
                return false;
            }
            if (i < answers)
            {
                hasAaaa |= type == RecordType.AAAA && recordClass == (ushort)RecordClass.IN && rdataLength == 16
                    && !Dns64Address.IsIPv4Mapped(message.Slice(rdataOffset, 16));
            }
            else if (i < answers + authority)
            {
                if (type == RecordType.SOA)
                {
                    soaTtl = ttl;
                }
            }
            else if (type == RecordType.OPT)
            {
                extendedRcode = (int)(ttl >> 24);
            }
        }
        response = new AaaaResponse((ResponseCode)((extendedRcode << 4) | header.Rcode), header.Truncated, hasAaaa, soaTtl);
        return true;
    }
}
