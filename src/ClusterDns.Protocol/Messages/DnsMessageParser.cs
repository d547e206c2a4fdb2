namespace ClusterDns.Protocol;

/// <summary>Reads a whole message into a <see cref="DnsMessage"/>, trusting no count and no pointer.</summary>
internal static class DnsMessageParser
{
    public static DnsError TryParse(ReadOnlySpan<byte> packet, out DnsMessage message)
    {
        message = new DnsMessage();
        var reader = new MessageReader(packet);
        var error = reader.ReadHeader(out message.Header);
        if (error != DnsError.None)
        {
            return error;
        }
        for (int i = 0; i < message.Header.QuestionCount; i++)
        {
            if (reader.Remaining == 0)
            {
                return DnsError.BadCount;
            }
            error = reader.ReadName(out var name);
            if (error != DnsError.None)
            {
                return error;
            }
            if (reader.ReadUInt16(out ushort type) != DnsError.None || reader.ReadUInt16(out ushort recordClass) != DnsError.None)
            {
                return DnsError.Truncated;
            }
            message.Questions.Add(new DnsQuestion(name, (RecordType)type, (RecordClass)recordClass));
        }
        error = ReadSection(ref reader, message, MessageSection.Answer, message.Header.AnswerCount, message.Answers);
        if (error == DnsError.None)
        {
            error = ReadSection(ref reader, message, MessageSection.Authority, message.Header.AuthorityCount, message.Authority);
        }
        if (error == DnsError.None)
        {
            error = ReadSection(ref reader, message, MessageSection.Additional, message.Header.AdditionalCount, message.Additional);
        }
        if (error == DnsError.None && reader.Remaining != 0)
        {
            error = DnsError.BadCount;
        }
        return error;
    }

    private static DnsError ReadSection(ref MessageReader reader, DnsMessage message, MessageSection section, int count, List<DnsRecord> records)
    {
        for (int i = 0; i < count; i++)
        {
            if (reader.Remaining == 0)
            {
                // The header promised more records than the message holds.
                return DnsError.BadCount;
            }
            int ownerStart = reader.Position;
            var error = reader.ReadName(out var owner);
            if (error != DnsError.None)
            {
                return error;
            }
            error = reader.ReadRecordTail(out var type, out ushort recordClass, out uint ttl, out int rdataOffset, out int rdataLength);
            if (error != DnsError.None)
            {
                return error;
            }
            if (type == RecordType.OPT)
            {
                if (section != MessageSection.Additional || message.Edns is not null || !owner.IsRoot)
                {
                    return DnsError.BadOpt;
                }
                error = RecordData.TryRead(type, reader.Message, rdataOffset, rdataLength, out var optData);
                if (error != DnsError.None)
                {
                    return DnsError.BadOpt;
                }
                message.Edns = new EdnsRecord
                {
                    UdpPayloadSize = recordClass,
                    ExtendedRcode = (byte)(ttl >> 24),
                    Version = (byte)(ttl >> 16),
                    DnssecOk = (ttl & 0x8000) != 0,
                    Options = ((OptData)optData).Options,
                };
                continue;
            }
            error = RecordData.TryRead(type, reader.Message, rdataOffset, rdataLength, out var data);
            if (error != DnsError.None)
            {
                return error;
            }
            records.Add(new DnsRecord(owner, type, (RecordClass)recordClass, ttl, data));
        }
        return DnsError.None;
    }
}
