using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>One RRset of a zone: type, TTL and the RDATA of each record, pre-encoded (names uncompressed).</summary>
internal sealed class ZoneRRset
{
    public ZoneRRset(RecordType type, uint ttl, byte[][] rdata)
    {
        Type = type;
        Ttl = ttl;
        Rdata = rdata;
    }

    public RecordType Type { get; }

    public uint Ttl { get; }

    public byte[][] Rdata { get; }

    /// <summary>
    /// Where the name that additional-section processing follows starts in each RDATA (RFC 1035 §3.3.9,
    /// RFC 2782, RFC 1034 §4.3.2 step 6), or -1 when this type has none.
    /// </summary>
    public int AdditionalTargetOffset => Type switch
    {
        RecordType.NS => 0,
        RecordType.MX => 2,
        RecordType.SRV => 6,
        _ => -1,
    };
}
