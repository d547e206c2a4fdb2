using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// One owner name of a zone with its RRsets. A node without RRsets is an empty non-terminal; a node other
/// than the apex holding NS is a zone cut (delegation).
/// </summary>
internal sealed class ZoneNode
{
    public ZoneNode(byte[] name, ZoneRRset[] rrsets, bool isApex)
    {
        Name = name;
        RRsets = rrsets;
        Cname = Find(RecordType.CNAME);
        IsDelegation = !isApex && Find(RecordType.NS) is not null;
    }

    /// <summary>The owner, lower-cased uncompressed wire form.</summary>
    public byte[] Name { get; }

    public ZoneRRset[] RRsets { get; }

    public ZoneRRset? Cname { get; }

    public bool IsDelegation { get; }

    public bool IsEmptyNonTerminal => RRsets.Length == 0;

    /// <summary>The RRset of <paramref name="type"/>; a linear scan, nodes hold a handful of types.</summary>
    public ZoneRRset? Find(RecordType type)
    {
        foreach (var rrset in RRsets)
        {
            if (rrset.Type == type)
            {
                return rrset;
            }
        }
        return null;
    }
}
