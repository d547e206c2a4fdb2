using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.K8sExternal;

/// <summary>
/// One outside zone's own names, computed once: the apex (SOA, NS) and the name server's subdomain
/// <c>ns1.APEX.zone</c> (CoreDNS's shape: MNAME <c>ns1.dns.zone</c>, RNAME <c>hostmaster.dns.zone</c>, refresh
/// 7200, retry 1800, expire 86400, minimum the ttl; the serial is the cluster zone's).
/// </summary>
internal sealed class K8sExternalZone
{
    private const ushort ClassIn = (ushort)RecordClass.IN;

    public K8sExternalZone(DnsName zone, string apexLabel)
    {
        Wire = zone.ToLower().Wire.ToArray();
        LabelCount = WireName.CountLabels(Wire);
        ApexLabel = System.Text.Encoding.ASCII.GetBytes(apexLabel);
        var apex = DnsName.Parse(apexLabel + "." + (zone.IsRoot ? "" : zone.ToString()));
        NameServer = DnsName.Parse("ns1." + apex).ToLower().Wire.ToArray();
        Hostmaster = DnsName.Parse("hostmaster." + apex).ToLower().Wire.ToArray();
    }

    /// <summary>The zone, lower-case wire.</summary>
    public byte[] Wire { get; }

    public int LabelCount { get; }

    /// <summary>The <c>apex</c> label (default <c>dns</c>), without its length byte.</summary>
    public byte[] ApexLabel { get; }

    /// <summary><c>ns1.APEX.zone</c>, the NS target and the SOA's MNAME.</summary>
    public byte[] NameServer { get; }

    public byte[] Hostmaster { get; }

    /// <summary>The SOA with the zone's name as owner (a pointer to the question when it is the question).</summary>
    public bool TryWriteSoa(ref MessageWriter writer, uint serial, uint ttl, bool atQuestion, MessageSection section)
    {
        Span<byte> rdata = stackalloc byte[NameServer.Length + Hostmaster.Length + 20];
        NameServer.CopyTo(rdata);
        Hostmaster.CopyTo(rdata[NameServer.Length..]);
        var numbers = rdata[(NameServer.Length + Hostmaster.Length)..];
        BinaryPrimitives.WriteUInt32BigEndian(numbers, serial);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[4..], 7200);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[8..], 1800);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[12..], 86400);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[16..], ttl);
        return atQuestion
            ? writer.TryWriteRecordAt(DnsHeader.Size, RecordType.SOA, ClassIn, ttl, rdata, section)
            : writer.TryWriteRecord(Wire, RecordType.SOA, ClassIn, ttl, rdata, section);
    }

    public bool TryWriteNs(ref MessageWriter writer, uint ttl) =>
        writer.TryWriteRecordAt(DnsHeader.Size, RecordType.NS, ClassIn, ttl, NameServer, MessageSection.Answer);

    /// <summary>
    /// The name server's addresses of <paramref name="type"/> (A, AAAA, or ANY for both), owned by the question or
    /// by <c>ns1.APEX.zone</c>: the external addresses of the Service fronting the name servers, else this host's
    /// (as CoreDNS's <c>ExternalAddress</c>). Returns how many were written; -1 when one did not fit.
    /// </summary>
    public int WriteNameServerAddresses(ref MessageWriter writer, K8sExternalSnapshot snapshot, RecordType type, uint ttl,
        bool atQuestion, MessageSection section)
    {
        int written = 0;
        if (snapshot.TryFindNameServerService(out var service))
        {
            foreach (var entry in service.Externals)
            {
                if (entry.IsAddress && !TryWriteAddress(ref writer, entry.Value, type, ttl, atQuestion, section, ref written))
                {
                    return -1;
                }
            }
        }
        if (written > 0 || HasExternalAddress(snapshot))
        {
            return written;
        }
        Span<byte> bytes = stackalloc byte[16];
        foreach (var address in snapshot.LocalAddresses)
        {
            if (address.TryWriteBytes(bytes, out int length)
                && !TryWriteAddress(ref writer, bytes[..length], type, ttl, atQuestion, section, ref written))
            {
                return -1;
            }
        }
        return written;
    }

    /// <summary>The name server Service has an address of either family: then this host's addresses are not used.</summary>
    private static bool HasExternalAddress(K8sExternalSnapshot snapshot)
    {
        if (!snapshot.TryFindNameServerService(out var service))
        {
            return false;
        }
        foreach (var entry in service.Externals)
        {
            if (entry.IsAddress)
            {
                return true;
            }
        }
        return false;
    }

    private bool TryWriteAddress(ref MessageWriter writer, scoped ReadOnlySpan<byte> address, RecordType type, uint ttl, bool atQuestion,
        MessageSection section, ref int written)
    {
        var addressType = address.Length == 4 ? RecordType.A : RecordType.AAAA;
        if (type != RecordType.ANY && type != addressType)
        {
            return true;
        }
        bool ok = atQuestion
            ? writer.TryWriteRecordAt(DnsHeader.Size, addressType, ClassIn, ttl, address, section)
            : writer.TryWriteRecord(NameServer, addressType, ClassIn, ttl, address, section);
        written += ok ? 1 : 0;
        return ok;
    }
}
