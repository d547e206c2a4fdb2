namespace ClusterDns.Protocol;

/// <summary>
/// Classifies an incoming packet and reads its question and EDNS(0) OPT record without allocating.
/// Counts are never trusted: every section is walked within the packet's bounds.
/// </summary>
public static class QueryParser
{
    /// <summary>
    /// Reads a query. The question name is copied lower-cased to <paramref name="lowerName"/> (at least 255 bytes).
    /// On <see cref="QueryVerdict.FormErr"/>, <see cref="QueryVerdict.NotImp"/> and <see cref="QueryVerdict.BadVers"/>
    /// the header is valid and <see cref="ParsedQuery.QuestionEnd"/> says how much of the packet can be echoed
    /// (0 when the question itself is bad).
    /// </summary>
    public static QueryVerdict Parse(ReadOnlySpan<byte> packet, Span<byte> lowerName, out ParsedQuery query)
    {
        query = default;
        var reader = new MessageReader(packet);
        if (reader.ReadHeader(out query.Header) != DnsError.None || query.Header.IsResponse)
        {
            return QueryVerdict.Drop;
        }
        if (query.Header.Opcode is not (Opcode.Query or Opcode.Notify))
        {
            return QueryVerdict.NotImp;
        }
        if (query.Header.QuestionCount != 1)
        {
            return QueryVerdict.FormErr;
        }
        if (reader.ReadQuestion(lowerName, out query.NameLength, out query.Type, out query.Class) != DnsError.None)
        {
            query.NameLength = 0;
            return QueryVerdict.FormErr;
        }
        WireName.ToLowerInPlace(lowerName[..query.NameLength]);
        query.QuestionEnd = reader.Position;

        // Answer and authority sections of a query are unusual but legal; they may not hold an OPT.
        int otherRecords = query.Header.AnswerCount + query.Header.AuthorityCount;
        for (int i = 0; i < otherRecords; i++)
        {
            if (reader.SkipName() != DnsError.None
                || reader.ReadRecordTail(out var type, out _, out _, out _, out _) != DnsError.None
                || type == RecordType.OPT)
            {
                return QueryVerdict.FormErr;
            }
        }
        for (int i = 0; i < query.Header.AdditionalCount; i++)
        {
            int ownerStart = reader.Position;
            if (reader.SkipName() != DnsError.None)
            {
                return QueryVerdict.FormErr;
            }
            bool rootOwner = reader.Position == ownerStart + 1 && packet[ownerStart] == 0;
            if (reader.ReadRecordTail(out var type, out ushort recordClass, out uint ttl, out int rdataOffset, out int rdataLength) != DnsError.None)
            {
                return QueryVerdict.FormErr;
            }
            if (type != RecordType.OPT)
            {
                continue;
            }
            if (query.Edns.IsPresent || !rootOwner || !EdnsOptionsAreWellFormed(packet.Slice(rdataOffset, rdataLength)))
            {
                return QueryVerdict.FormErr;
            }
            query.Edns = new EdnsInfo(
                udpPayloadSize: recordClass,
                extendedRcode: (byte)(ttl >> 24),
                version: (byte)(ttl >> 16),
                dnssecOk: (ttl & 0x8000) != 0,
                optionsOffset: rdataOffset,
                optionsLength: rdataLength);
        }
        if (reader.Remaining != 0)
        {
            // Trailing garbage after the counted records: not a well-formed message.
            return QueryVerdict.FormErr;
        }
        if (query.Edns.IsPresent && query.Edns.Version != 0)
        {
            return QueryVerdict.BadVers;
        }
        return query.Header.Opcode == Opcode.Notify ? QueryVerdict.Notify : QueryVerdict.Accept;
    }

    /// <summary>Options are a sequence of (code, length, data) that must fill the RDATA exactly.</summary>
    public static bool EdnsOptionsAreWellFormed(ReadOnlySpan<byte> rdata)
    {
        int i = 0;
        while (i < rdata.Length)
        {
            if (rdata.Length - i < 4)
            {
                return false;
            }
            int length = (rdata[i + 2] << 8) | rdata[i + 3];
            i += 4 + length;
        }
        return i == rdata.Length;
    }
}
