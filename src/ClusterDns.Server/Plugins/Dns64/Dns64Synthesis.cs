using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Dns64;

/// <summary>
/// Writes the synthesised answer after the client's AAAA question: the A lookup's answer section with each
/// A record turned into an AAAA record inside the prefix (RFC 6147 section 5.1.7: TTL at most the AAAA
/// answer's SOA TTL, or 600 without one) and every other record, such as the CNAME chain, unchanged
/// (section 5.3.3); the A lookup's authority and additional sections follow as they came (section 5.3.2).
/// </summary>
internal static class Dns64Synthesis
{
    /// <returns>False, writing nothing, when the A lookup has no A record and was not truncated: the AAAA answer stands.</returns>
    public static bool TryWrite(DnsQueryContext context, DnsMessage a, Dns64Options options, uint soaTtl)
    {
        if (!HasARecord(a) && !a.Header.Truncated)
        {
            return false;
        }
        var writer = context.BeginResponse();
        bool truncated = a.Header.Truncated;
        Span<byte> ipv4 = stackalloc byte[4];
        Span<byte> ipv6 = stackalloc byte[16];
        foreach (var record in a.Answers)
        {
            bool fits;
            if (record.Type == RecordType.A && record.Class == RecordClass.IN && record.Data is AData data)
            {
                data.Address.TryWriteBytes(ipv4, out _);
                Dns64Address.Embed(options.Prefix, options.PrefixLength, ipv4, ipv6);
                fits = writer.TryWriteRecord(record.Name.Wire, RecordType.AAAA, (ushort)RecordClass.IN, Math.Min(record.Ttl, soaTtl), ipv6, MessageSection.Answer);
            }
            else
            {
                fits = TryCopy(ref writer, record, MessageSection.Answer);
            }
            if (!fits)
            {
                truncated = true;
                break;
            }
        }
        // Authority and additional records that do not fit are left out without TC (RFC 2181 section 9).
        if (!truncated && TryCopyAll(ref writer, a.Authority, MessageSection.Authority))
        {
            TryCopyAll(ref writer, a.Additional, MessageSection.Additional);
        }
        context.CompleteResponse(ref writer, a.Rcode, authoritative: false, truncated);
        return true;
    }

    /// <summary>The address an A record becomes (for tests and the README's examples).</summary>
    public static IPAddress Translate(Dns64Options options, IPAddress ipv4)
    {
        Span<byte> v4 = stackalloc byte[4];
        Span<byte> v6 = stackalloc byte[16];
        ipv4.TryWriteBytes(v4, out _);
        Dns64Address.Embed(options.Prefix, options.PrefixLength, v4, v6);
        return new IPAddress(v6);
    }

    private static bool HasARecord(DnsMessage a)
    {
        foreach (var record in a.Answers)
        {
            if (record.Type == RecordType.A && record.Class == RecordClass.IN)
            {
                return true;
            }
        }
        return false;
    }

    private static bool TryCopyAll(ref MessageWriter writer, List<DnsRecord> records, MessageSection section)
    {
        foreach (var record in records)
        {
            if (!TryCopy(ref writer, record, section))
            {
                return false;
            }
        }
        return true;
    }

    private static bool TryCopy(ref MessageWriter writer, DnsRecord record, MessageSection section)
    {
        if (!writer.TryBeginRecord(record.Name.Wire, record.Type, (ushort)record.Class, record.Ttl, out var inProgress))
        {
            return false;
        }
        if (!record.Data.TryWrite(ref writer))
        {
            writer.Rollback(inProgress.Start);
            return false;
        }
        writer.EndRecord(inProgress, section);
        return true;
    }
}
