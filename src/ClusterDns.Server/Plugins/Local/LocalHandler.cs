using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Local;

/// <summary>
/// CoreDNS's local: answers localhost names (RFC 6761) and the loopback/zero/broadcast reverse zones itself, so they
/// never leave the node. Records are pre-encoded; owners point into the question, so answering allocates nothing.
/// </summary>
internal sealed class LocalHandler(LocalOptions options) : DnsHandler
{
    private const uint Ttl = 604800;

    private static readonly byte[] Localhost = Wire("localhost.");
    private static readonly byte[] LoopbackPtr = Wire("1.0.0.127.in-addr.arpa.");
    private static readonly byte[][] Zones = [Localhost, Wire("0.in-addr.arpa."), Wire("127.in-addr.arpa."), Wire("255.in-addr.arpa.")];
    private static readonly byte[] Ipv4Loopback = [127, 0, 0, 1];
    private static readonly byte[] Ipv6Loopback = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    private static readonly byte[] SoaData = BuildSoa();

    public override string Name => "local";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var name = context.LowerName;
        if (name.Length > Localhost.Length
            && (EndsWithLabels(name, Localhost) || (options.LocalhostPrefix && name.StartsWith(Localhost.AsSpan(0, Localhost.Length - 1)))))
        {
            return Write(context, SubdomainOfLocalhost);
        }

        int zoneLength = MatchZone(name);
        if (zoneLength == 0)
        {
            return NextAsync(context);
        }
        return Write(context, zoneLength);
    }

    /// <summary>Marks <c>*.localhost.</c> and <c>localhost.*</c>: loopback for A/AAAA, NODATA otherwise.</summary>
    private const int SubdomainOfLocalhost = -1;

    private ValueTask<HandlerResult> Write(DnsQueryContext context, int zoneLength)
    {
        var name = context.LowerName;
        var type = context.QuestionType;
        var writer = context.BeginResponse();
        int question = DnsHeader.Size;
        int zoneOffset = question + name.Length - zoneLength;
        var rcode = ResponseCode.NoError;
        bool ok;
        if (zoneLength == SubdomainOfLocalhost)
        {
            ok = type switch
            {
                RecordType.A => Answer(ref writer, question, RecordType.A, Ipv4Loopback),
                RecordType.AAAA => Answer(ref writer, question, RecordType.AAAA, Ipv6Loopback),
                _ => Soa(ref writer, question),
            };
        }
        else if (name.Length == zoneLength)
        {
            // The zone apex: localhost. has addresses, the reverse apexes only SOA and NS.
            bool isLocalhost = name.SequenceEqual(Localhost);
            ok = type switch
            {
                RecordType.A when isLocalhost => Answer(ref writer, question, RecordType.A, Ipv4Loopback),
                RecordType.AAAA when isLocalhost => Answer(ref writer, question, RecordType.AAAA, Ipv6Loopback),
                RecordType.SOA => Answer(ref writer, question, RecordType.SOA, SoaData),
                RecordType.NS => Answer(ref writer, question, RecordType.NS, Localhost),
                _ => Soa(ref writer, question),
            };
        }
        else if (name.SequenceEqual(LoopbackPtr))
        {
            ok = type == RecordType.PTR ? Answer(ref writer, question, RecordType.PTR, Localhost) : Soa(ref writer, zoneOffset);
        }
        else
        {
            rcode = ResponseCode.NXDomain;
            ok = Soa(ref writer, zoneOffset);
        }
        context.CompleteResponse(ref writer, rcode, authoritative: false, truncated: !ok);
        context.WrittenBy = Name;
        return new ValueTask<HandlerResult>(HandlerResult.Written(rcode));
    }

    private static bool Answer(ref MessageWriter writer, int owner, RecordType type, byte[] rdata) =>
        writer.TryWriteRecordAt(owner, type, (ushort)RecordClass.IN, Ttl, rdata, MessageSection.Answer);

    private static bool Soa(ref MessageWriter writer, int owner) =>
        writer.TryWriteRecordAt(owner, RecordType.SOA, (ushort)RecordClass.IN, Ttl, SoaData, MessageSection.Authority);

    /// <summary>Length of the zone <paramref name="name"/> falls in, 0 if none.</summary>
    private static int MatchZone(ReadOnlySpan<byte> name)
    {
        foreach (var zone in Zones)
        {
            if (EndsWithLabels(name, zone))
            {
                return zone.Length;
            }
        }
        return 0;
    }

    /// <summary>True when <paramref name="suffix"/> is <paramref name="name"/> or its ancestor (whole labels only).</summary>
    internal static bool EndsWithLabels(ReadOnlySpan<byte> name, ReadOnlySpan<byte> suffix)
    {
        int offset = 0;
        while (offset < name.Length && name.Length - offset > suffix.Length)
        {
            offset += name[offset] + 1;
        }
        return name.Length - offset == suffix.Length && name[offset..].SequenceEqual(suffix);
    }

    /// <summary>SOA localhost. root.localhost. 1 0 0 0 604800, as CoreDNS's soaFromOrigin.</summary>
    private static byte[] BuildSoa()
    {
        byte[] rname = Wire("root.localhost.");
        var data = new byte[Localhost.Length + rname.Length + 20];
        Localhost.CopyTo(data, 0);
        rname.CopyTo(data, Localhost.Length);
        int times = Localhost.Length + rname.Length;
        data[times + 3] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(times + 16), Ttl);
        return data;
    }

    private static byte[] Wire(string name) => DnsName.Parse(name).Wire.ToArray();
}
