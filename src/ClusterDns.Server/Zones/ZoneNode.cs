using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>
/// One owner name of a zone with its RRsets. A node without RRsets is an empty non-terminal; a node other
/// than the apex holding NS is a zone cut (delegation). <see cref="ChildCount"/> lets an incremental edit tell
/// when a name without data may go (<see cref="ZoneEdit"/>).
/// </summary>
internal sealed class ZoneNode
{
    public ZoneNode(byte[] name, ZoneRRset[] rrsets, bool isApex, int childCount)
    {
        Name = name;
        RRsets = rrsets;
        ChildCount = childCount;
        Cname = Find(RecordType.CNAME);
        IsDelegation = !isApex && Find(RecordType.NS) is not null;
    }

    /// <summary>The owner, lower-cased uncompressed wire form.</summary>
    public byte[] Name { get; }

    public ZoneRRset[] RRsets { get; }

    public ZoneRRset? Cname { get; }

    public bool IsDelegation { get; }

    public bool IsEmptyNonTerminal => RRsets.Length == 0;

    /// <summary>Names one label below this one in the zone (data or empty non-terminal).</summary>
    public int ChildCount { get; }

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
