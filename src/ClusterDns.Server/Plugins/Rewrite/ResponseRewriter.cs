using System.Buffers;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>
/// Writes the response again behind the client's own question: every record is decoded (names decompressed,
/// since the question's length changed every pointer) and re-encoded, with owner names turned back per
/// <c>answer auto|name</c>, RDATA names per <c>answer value</c> (or back to the client's name, as auto), and TTLs per <c>ttl</c> rules.
/// </summary>
internal static class ResponseRewriter
{
    private const int NameBufferSize = WireName.MaxLength + 1;

    /// <returns>The RCODE the client gets.</returns>
    public static ResponseCode Rewrite(DnsQueryContext context, byte[] originalRequest, string original, string rewritten, List<RewriteRule> rules)
    {
        int length = context.ResponseLength;
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            context.Response.CopyTo(copy);
            context.ReplaceRequest(originalRequest);
            if (!TryRewrite(context, copy.AsSpan(0, length), original, rewritten, rules, out var rcode))
            {
                context.WriteBareResponse(ResponseCode.ServFail);
                return ResponseCode.ServFail;
            }
            return rcode;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private static bool TryRewrite(DnsQueryContext context, ReadOnlySpan<byte> response, string original, string rewritten, List<RewriteRule> rules,
        out ResponseCode finalRcode)
    {
        finalRcode = ResponseCode.ServFail;
        var reader = new MessageReader(response);
        if (reader.ReadHeader(out var header) != DnsError.None)
        {
            return false;
        }
        Span<byte> name = stackalloc byte[NameBufferSize];
        for (int q = 0; q < header.QuestionCount; q++)
        {
            if (reader.ReadQuestion(name, out _, out _, out _) != DnsError.None)
            {
                return false;
            }
        }
        int total = header.AnswerCount + header.AuthorityCount + header.AdditionalCount;
        // Extended errors the later handlers put in their OPT (template's ederror) go to the client too; every
        // other option in that OPT came from the rewritten request and stays out (the client gets its own OPT).
        var errors = context.Query.Edns.IsPresent ? ExtendedErrors(reader, response, total, name) : null;
        var writer = context.BeginResponse();
        if (errors is not null)
        {
            writer.Limit -= errors.Length;
        }
        int rcode = header.Rcode;
        bool truncated = header.Truncated;
        Span<byte> target = stackalloc byte[NameBufferSize];
        for (int i = 0; i < total; i++)
        {
            if (reader.ReadName(name, out int nameLength) != DnsError.None ||
                reader.ReadRecordTail(out var type, out ushort recordClass, out uint ttl, out int rdataOffset, out int rdataLength) != DnsError.None)
            {
                return false;
            }
            if (type == RecordType.OPT)
            {
                rcode |= (int)(ttl >> 24) << 4;
                continue;
            }
            var section = i < header.AnswerCount ? MessageSection.Answer
                : i < header.AnswerCount + header.AuthorityCount ? MessageSection.Authority : MessageSection.Additional;
            var owner = RewriteOwner(name[..nameLength], original, rewritten, rules);
            ttl = RewriteTtl(ttl, rules);
            if (!writer.TryBeginRecord(owner is null ? name[..nameLength] : owner.Wire, type, recordClass, ttl, out var record) ||
                !TryWriteRdata(ref writer, response, type, rdataOffset, rdataLength, target, original, rewritten, rules))
            {
                writer.Rollback(record.Start);
                truncated = true;
                break;
            }
            writer.EndRecord(record, section);
        }
        finalRcode = RewriteRcode((ResponseCode)rcode, rules);
        context.CompleteResponse(ref writer, finalRcode, header.AuthoritativeAnswer, truncated, errors);
        // RA stays as the answer had it (set on forwarded and cached answers, never on authoritative ones).
        if (header.RecursionAvailable)
        {
            context.Buffer[3] |= 0x80;
        }
        return true;
    }

    /// <summary>The RFC 8914 options of the response's OPT (wire form), or null when it has none.</summary>
    private static byte[]? ExtendedErrors(MessageReader reader, ReadOnlySpan<byte> response, int total, scoped Span<byte> name)
    {
        for (int i = 0; i < total; i++)
        {
            if (reader.ReadName(name, out _) != DnsError.None ||
                reader.ReadRecordTail(out var type, out _, out _, out int offset, out int length) != DnsError.None)
            {
                return null;
            }
            if (type != RecordType.OPT)
            {
                continue;
            }
            var options = response.Slice(offset, length);
            var kept = new List<byte>();
            int position = 0;
            while (position + 4 <= options.Length)
            {
                int size = 4 + System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(options[(position + 2)..]);
                if (position + size > options.Length)
                {
                    break;
                }
                if (System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(options[position..]) == EdnsOption.ExtendedError)
                {
                    kept.AddRange(options.Slice(position, size));
                }
                position += size;
            }
            return kept.Count > 0 ? kept.ToArray() : null;
        }
        return null;
    }

    /// <summary>The owner name the client sees, or null when it stays as it is (its bytes untouched).</summary>
    private static DnsName? RewriteOwner(ReadOnlySpan<byte> owner, string original, string rewritten, List<RewriteRule> rules)
    {
        var text = Text(owner);
        var before = text;
        foreach (var rule in rules)
        {
            if (rule.Field != RewriteField.Name)
            {
                continue;
            }
            if (rule.AnswerFrom is { } from && from.Match(text) is { Success: true } match)
            {
                text = NameText.Qualify(NamePattern.ExpandGroups(match, rule.AnswerTo));
            }
        }
        // answer auto: the record for the name we asked instead is the record for the name the client asked.
        if (text == rewritten && original != rewritten)
        {
            text = original;
        }
        return text != before && DnsName.TryParse(text, out var result, out _) ? result : null;
    }

    /// <summary>rcode rules matched the question; each maps its FROM code to its TO code.</summary>
    public static ResponseCode RewriteRcode(ResponseCode rcode, List<RewriteRule> rules)
    {
        foreach (var rule in rules)
        {
            if (rule.Field == RewriteField.Rcode && rcode == rule.FromRcode)
            {
                rcode = rule.ToRcode;
            }
        }
        return rcode;
    }

    /// <summary>ttl rules matched the question, so they apply to every record of the response (as CoreDNS).</summary>
    private static uint RewriteTtl(uint ttl, List<RewriteRule> rules)
    {
        foreach (var rule in rules)
        {
            if (rule.Field == RewriteField.Ttl)
            {
                ttl = Math.Clamp(ttl, rule.TtlMin, rule.TtlMax);
            }
        }
        return ttl;
    }

    private static string Text(ReadOnlySpan<byte> wire)
    {
        Span<char> text = stackalloc char[256];
        return new string(text[..NameText.Format(wire, text)]).ToLowerInvariant();
    }

    /// <summary>Re-encodes RDATA; the names of the types that may be compressed (RFC 3597 §4) are decompressed first.</summary>
    private static bool TryWriteRdata(ref MessageWriter writer, ReadOnlySpan<byte> message, RecordType type, int offset, int length,
        scoped Span<byte> target, string original, string rewritten, List<RewriteRule> rules)
    {
        int fixedBefore = type switch
        {
            RecordType.CNAME or RecordType.NS or RecordType.PTR or RecordType.DNAME => 0,
            RecordType.MX => 2,
            RecordType.SRV => 6,
            RecordType.SOA => 0,
            _ => -1,
        };
        if (fixedBefore < 0)
        {
            return writer.TryWriteBytes(message.Slice(offset, length));
        }
        if (!writer.TryWriteBytes(message.Slice(offset, fixedBefore)))
        {
            return false;
        }
        int position = offset + fixedBefore;
        int names = type == RecordType.SOA ? 2 : 1;
        for (int n = 0; n < names; n++)
        {
            if (MessageReader.DecodeName(message, position, target, out int nameLength, out int consumed) != DnsError.None)
            {
                return false;
            }
            position += consumed;
            var value = RewriteValue(target[..nameLength], original, rewritten, rules);
            ReadOnlySpan<byte> written = value is null ? target[..nameLength] : value.Wire;
            // SRV and DNAME targets are never compressed (RFC 2782, RFC 6672); the others may be.
            bool compress = type is not (RecordType.SRV or RecordType.DNAME);
            if (!writer.TryWriteName(written, compress))
            {
                return false;
            }
        }
        return writer.TryWriteBytes(message[position..(offset + length)]);
    }

    /// <summary>The RDATA name per <c>answer value</c>, or null when it stays.</summary>
    private static DnsName? RewriteValue(ReadOnlySpan<byte> name, string original, string rewritten, List<RewriteRule> rules)
    {
        var text = Text(name);
        foreach (var rule in rules)
        {
            if (rule.ValueFrom is { } from && from.Match(text) is { Success: true } match &&
                DnsName.TryParse(NameText.Qualify(NamePattern.ExpandGroups(match, rule.ValueTo)), out var result, out _))
            {
                return result;
            }
        }
        // answer auto, for RDATA: a CNAME (or NS, PTR…) to the name we asked instead points to the client's name.
        return text == rewritten && original != rewritten ? DnsName.Parse(original) : null;
    }
}
