namespace ClusterDns.Protocol;

/// <summary>
/// Writes a <see cref="DnsMessage"/> with compression, cutting at whole RRsets when it does not fit.
/// </summary>
internal static class DnsMessageEncoder
{
    /// <summary>The fixed part of an OPT record: root owner, TYPE, CLASS, TTL, RDLENGTH.</summary>
    private const int OptFixedSize = 11;

    public static int Write(DnsMessage message, Span<byte> buffer, int maxSize)
    {
        int limit = Math.Min(Math.Min(maxSize, buffer.Length), ushort.MaxValue);
        if (limit < DnsHeader.Size)
        {
            return 0;
        }
        var writer = new MessageWriter(buffer, limit);
        foreach (var question in message.Questions)
        {
            if (!writer.TryWriteQuestion(question.Name.Wire, question.Type, question.Class))
            {
                return 0;
            }
        }

        // Reserve the OPT record's room first: it is never the one dropped (RFC 6891 §7).
        byte[] options = message.Edns is null ? [] : OptData.Encode(message.Edns.Options);
        int optSize = message.Edns is null ? 0 : OptFixedSize + options.Length;
        if (writer.Position + optSize > limit)
        {
            return 0;
        }
        writer.Limit = limit - optSize;

        bool truncated = !TryWriteSection(ref writer, message.Answers, MessageSection.Answer, stopAtFirstMiss: true);
        if (!truncated)
        {
            truncated = !TryWriteSection(ref writer, message.Authority, MessageSection.Authority, stopAtFirstMiss: true);
        }
        if (!truncated)
        {
            // Additional data is optional: what does not fit is left out without TC (RFC 2181 §9).
            TryWriteSection(ref writer, message.Additional, MessageSection.Additional, stopAtFirstMiss: false);
        }

        writer.Limit = limit;
        if (message.Edns is { } edns)
        {
            writer.TryWriteOpt(edns.UdpPayloadSize, edns.ExtendedRcode, edns.Version, edns.DnssecOk, options);
        }

        var header = message.Header;
        header.QuestionCount = (ushort)message.Questions.Count;
        header.Truncated = header.Truncated || truncated;
        writer.WriteHeader(header);
        return writer.Position;
    }

    /// <summary>Writes the section RRset by RRset; false when some RRset did not fit.</summary>
    private static bool TryWriteSection(ref MessageWriter writer, List<DnsRecord> records, MessageSection section, bool stopAtFirstMiss)
    {
        bool complete = true;
        int start = 0;
        while (start < records.Count)
        {
            int end = start + 1;
            while (end < records.Count && records[end].IsSameRRset(records[start]))
            {
                end++;
            }
            var mark = writer.Mark();
            for (int i = start; i < end; i++)
            {
                if (!TryWriteRecord(ref writer, records[i], section))
                {
                    writer.Rollback(mark);
                    complete = false;
                    if (stopAtFirstMiss)
                    {
                        return false;
                    }
                    break;
                }
            }
            start = end;
        }
        return complete;
    }

    private static bool TryWriteRecord(ref MessageWriter writer, DnsRecord record, MessageSection section)
    {
        if (!writer.TryBeginRecord(record.Name.Wire, record.Type, (ushort)record.Class, record.Ttl, out var inProgress))
        {
            return false;
        }
        int rdataStart = writer.Position;
        if (!record.Data.TryWrite(ref writer) || writer.Position - rdataStart > RecordData.MaxLength)
        {
            writer.Rollback(inProgress.Start);
            return false;
        }
        writer.EndRecord(inProgress, section);
        return true;
    }
}
