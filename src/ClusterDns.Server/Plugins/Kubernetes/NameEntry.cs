using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>Everything one name of the cluster zone holds; no RRsets means an empty non-terminal (NODATA).</summary>
public sealed class NameEntry
{
    public static readonly NameEntry EmptyNonTerminal = new([]);

    public NameEntry(EncodedRRset[] rrsets) => RRsets = rrsets;

    public EncodedRRset[] RRsets { get; }

    public EncodedRRset? Find(RecordType type)
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
