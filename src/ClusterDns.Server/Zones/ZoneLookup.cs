using System.Runtime.CompilerServices;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// The authoritative lookup of RFC 1034 §4.3.2 (with RFC 2308 negative answers and RFC 4592 wildcards),
/// writing straight into the response. Allocates nothing: names are spans over the question or zone data.
/// </summary>
internal static class ZoneLookup
{
    /// <summary>The longest CNAME chain followed inside the zone; longer chains (and loops) stop there.</summary>
    public const int MaxCnameChain = 8;

    private const ushort ClassIn = (ushort)RecordClass.IN;

    private enum FindResult
    {
        Exact,
        Delegation,
        NotFound,
    }

    public static ZoneAnswer WriteAnswer(AuthoritativeZone zone, ReadOnlySpan<byte> qname, RecordType qtype, ref MessageWriter writer)
    {
        Span<byte> wildcard = stackalloc byte[WireName.MaxLength + 2];
        var visited = new VisitedNames();
        ReadOnlySpan<byte> name = qname;
        int chain = 0;
        bool wildcardMatch = false;
        while (true)
        {
            var found = Find(zone, name, qtype, out var node, out int encloserOffset);
            if (found == FindResult.Delegation)
            {
                // A referral: the cut's NS in authority and their glue; authoritative only for CNAMEs before it.
                if (!TryWriteRRset(node!.Name, node.Find(RecordType.NS)!, MessageSection.Authority, ref writer))
                {
                    return new ZoneAnswer(ResponseCode.NoError, chain > 0, Truncated: true);
                }
                WriteAdditional(zone, node.Find(RecordType.NS)!, ref writer);
                return new ZoneAnswer(ResponseCode.NoError, chain > 0, Truncated: false);
            }
            if (found == FindResult.NotFound)
            {
                node = FindWildcard(zone, name[encloserOffset..], wildcard);
                if (node is null)
                {
                    return WriteNegative(zone, ResponseCode.NXDomain, ref writer);
                }
                wildcardMatch = true;
            }

            // node holds data for name (exactly, or through a wildcard whose records take name as owner).
            if (node!.Cname is { } cname && qtype != RecordType.CNAME)
            {
                if (!TryWriteRRset(name, cname, MessageSection.Answer, ref writer))
                {
                    return new ZoneAnswer(ResponseCode.NoError, true, Truncated: true);
                }
                var target = cname.Rdata[0];
                chain++;
                if (!zone.Contains(target) || chain >= MaxCnameChain || visited.Contains(target, qname))
                {
                    // Out of zone: the client's resolver continues from here. A loop or a long chain stops.
                    WriteApexNs(zone, ref writer);
                    return new ZoneAnswer(ResponseCode.NoError, true, Truncated: false);
                }
                visited.Add(target);
                name = target;
                continue;
            }
            if (qtype == RecordType.ANY)
            {
                return WriteAll(zone, name, node, ref writer);
            }
            var rrset = node.Find(qtype);
            if (rrset is null)
            {
                return WriteNegative(zone, ResponseCode.NoError, ref writer);
            }
            if (!TryWriteRRset(name, rrset, MessageSection.Answer, ref writer))
            {
                return new ZoneAnswer(ResponseCode.NoError, true, Truncated: true);
            }
            // As CoreDNS's file plugin: the apex NS in authority (not when they are the answer), and addresses
            // in additional only for a direct answer (not after a CNAME or from a wildcard).
            if (!(rrset.Type == RecordType.NS && ReferenceEquals(node, zone.Apex)))
            {
                WriteApexNs(zone, ref writer);
            }
            if (chain == 0 && !wildcardMatch)
            {
                WriteAdditional(zone, rrset, ref writer);
            }
            return new ZoneAnswer(ResponseCode.NoError, true, Truncated: false);
        }
    }

    /// <summary>
    /// Walks down from the apex towards <paramref name="name"/>: stops at the first zone cut (a referral),
    /// at the name itself, or where the tree ends (then <paramref name="encloserOffset"/> is where the closest
    /// encloser starts in <paramref name="name"/>).
    /// </summary>
    /// <summary>
    /// True when <paramref name="qname"/> is neither a name of the zone (empty non-terminals included) nor covered by
    /// a wildcard: its answer is NXDOMAIN with nothing before it. <c>file</c>'s fallthrough asks this before writing.
    /// </summary>
    public static bool IsNameAbsent(AuthoritativeZone zone, ReadOnlySpan<byte> qname)
    {
        if (Find(zone, qname, RecordType.A, out _, out int encloserOffset) != FindResult.NotFound)
        {
            return false;
        }
        Span<byte> wildcard = stackalloc byte[WireName.MaxLength + 2];
        return FindWildcard(zone, qname[encloserOffset..], wildcard) is null;
    }

    /// <summary>RFC 4592: only the wildcard child of the closest encloser may match.</summary>
    private static ZoneNode? FindWildcard(AuthoritativeZone zone, ReadOnlySpan<byte> encloser, Span<byte> wildcard)
    {
        if (encloser.Length + 2 > WireName.MaxLength)
        {
            return null;
        }
        wildcard[0] = 1;
        wildcard[1] = (byte)'*';
        encloser.CopyTo(wildcard[2..]);
        return zone.FindNode(wildcard[..(encloser.Length + 2)]);
    }

    private static FindResult Find(AuthoritativeZone zone, ReadOnlySpan<byte> name, RecordType qtype, out ZoneNode? node, out int encloserOffset)
    {
        Span<int> offsets = stackalloc int[WireName.MaxLength / 2 + 1];
        int labels = 0;
        int position = 0;
        while (name[position] != 0)
        {
            offsets[labels++] = position;
            position += name[position] + 1;
        }
        // offsets[k] starts the suffix without the first k labels; the apex is k = labels - OriginLabels.
        int apexIndex = labels - zone.OriginLabels;
        node = zone.Apex;
        encloserOffset = apexIndex < labels ? offsets[apexIndex] : position;
        for (int k = apexIndex - 1; k >= 0; k--)
        {
            var next = zone.FindNode(name[offsets[k]..]);
            if (next is null)
            {
                node = null;
                return FindResult.NotFound;
            }
            // DS at the cut belongs to the parent side (RFC 4035 §3.1.4.1): answered here, not referred.
            if (next.IsDelegation && !(k == 0 && qtype == RecordType.DS))
            {
                node = next;
                return FindResult.Delegation;
            }
            node = next;
            encloserOffset = offsets[k];
        }
        return FindResult.Exact;
    }

    /// <summary>NXDOMAIN or NODATA: the SOA in authority with the negative TTL (RFC 2308 §3).</summary>
    private static ZoneAnswer WriteNegative(AuthoritativeZone zone, ResponseCode rcode, ref MessageWriter writer)
    {
        var mark = writer.Mark();
        if (writer.TryBeginRecord(zone.OriginWire, RecordType.SOA, ClassIn, zone.NegativeTtl, out var record)
            && RdataWriter.TryWrite(RecordType.SOA, zone.Soa.Rdata[0], ref writer))
        {
            writer.EndRecord(record, MessageSection.Authority);
            return new ZoneAnswer(rcode, true, Truncated: false);
        }
        writer.Rollback(mark);
        return new ZoneAnswer(rcode, true, Truncated: true);
    }

    /// <summary>
    /// The apex NS RRset in authority of a positive answer, as CoreDNS's file plugin writes it. Optional data:
    /// when it does not fit it is left out without TC (RFC 2181 §9), like additional records.
    /// </summary>
    private static void WriteApexNs(AuthoritativeZone zone, ref MessageWriter writer)
    {
        if (zone.ApexNs is { } ns)
        {
            TryWriteRRset(zone.OriginWire, ns, MessageSection.Authority, ref writer);
        }
    }

    private static ZoneAnswer WriteAll(AuthoritativeZone zone, ReadOnlySpan<byte> name, ZoneNode node, ref MessageWriter writer)
    {
        if (node.IsEmptyNonTerminal)
        {
            return WriteNegative(zone, ResponseCode.NoError, ref writer);
        }
        foreach (var rrset in node.RRsets)
        {
            if (!TryWriteRRset(name, rrset, MessageSection.Answer, ref writer))
            {
                return new ZoneAnswer(ResponseCode.NoError, true, Truncated: true);
            }
        }
        return new ZoneAnswer(ResponseCode.NoError, true, Truncated: false);
    }

    /// <summary>Writes a whole RRset, or nothing (rolled back) when it does not fit.</summary>
    internal static bool TryWriteRRset(ReadOnlySpan<byte> owner, ZoneRRset rrset, MessageSection section, ref MessageWriter writer)
    {
        var mark = writer.Mark();
        foreach (var rdata in rrset.Rdata)
        {
            if (!writer.TryBeginRecord(owner, rrset.Type, ClassIn, rrset.Ttl, out var record)
                || !RdataWriter.TryWrite(rrset.Type, rdata, ref writer))
            {
                writer.Rollback(mark);
                return false;
            }
            writer.EndRecord(record, section);
        }
        return true;
    }

    /// <summary>
    /// In-zone A/AAAA of the names NS, MX and SRV records point to (glue included). What does not fit is
    /// left out without TC (RFC 2181 §9).
    /// </summary>
    private static void WriteAdditional(AuthoritativeZone zone, ZoneRRset rrset, ref MessageWriter writer)
    {
        int offset = rrset.AdditionalTargetOffset;
        if (offset < 0)
        {
            return;
        }
        var all = rrset.Rdata;
        for (int i = 0; i < all.Length; i++)
        {
            var target = all[i].AsSpan(offset);
            if (!zone.Contains(target) || SeenBefore(all, i, offset))
            {
                continue;
            }
            var node = zone.FindNode(target);
            if (node is null)
            {
                continue;
            }
            if (node.Find(RecordType.A) is { } a)
            {
                TryWriteRRset(target, a, MessageSection.Additional, ref writer);
            }
            if (node.Find(RecordType.AAAA) is { } aaaa)
            {
                TryWriteRRset(target, aaaa, MessageSection.Additional, ref writer);
            }
        }
    }

    private static bool SeenBefore(byte[][] rdata, int index, int offset)
    {
        var target = rdata[index].AsSpan(offset);
        for (int i = 0; i < index; i++)
        {
            if (WireName.EqualsIgnoreCase(rdata[i].AsSpan(offset), target))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The CNAME targets already followed, to stop loops; fixed size, on the stack.</summary>
    private struct VisitedNames
    {
        private Targets _targets;
        private int _count;

        public void Add(byte[] target)
        {
            if (_count < MaxCnameChain)
            {
                _targets[_count++] = target;
            }
        }

        public readonly bool Contains(ReadOnlySpan<byte> target, ReadOnlySpan<byte> qname)
        {
            if (WireName.EqualsIgnoreCase(target, qname))
            {
                return true;
            }
            for (int i = 0; i < _count; i++)
            {
                if (WireName.EqualsIgnoreCase(target, _targets[i]))
                {
                    return true;
                }
            }
            return false;
        }

        [InlineArray(MaxCnameChain)]
        private struct Targets
        {
            private byte[] _first;
        }
    }
}
