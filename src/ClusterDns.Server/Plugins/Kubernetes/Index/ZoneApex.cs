using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Names;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Index;

/// <summary>A served zone's apex and its SOA record in wire form (owner written separately).</summary>
public sealed class ZoneApex
{
    private readonly byte[] _soaEntry;

    public ZoneApex(DnsName zone, bool isReverse, byte[] soaRdata, uint ttl)
    {
        Zone = zone;
        Wire = zone.ToLower().Wire.ToArray();
        IsReverse = isReverse;
        var draft = new ClusterEntryDraft(Wire);
        draft.Add(RecordType.SOA, soaRdata, 1);
        _soaEntry = draft.Encode(_ => ttl);
    }

    public DnsName Zone { get; }

    public byte[] Wire { get; }

    public bool IsReverse { get; }

    public ClusterRRset Soa => new ClusterEntry(_soaEntry).RRsetAt(0);

    /// <summary>
    /// The apexes of the zones <paramref name="options"/> serve, in their order, with SOA serial
    /// <paramref name="serial"/>: MNAME <c>ns.dns.</c> under the first forward zone, RNAME <c>hostmaster.zone</c>.
    /// </summary>
    public static ZoneApex[] Build(KubernetesOptions options, uint serial)
    {
        var firstForward = options.Zones.FirstOrDefault(z => !ClusterNames.IsReverseZone(z)) ?? options.Zones[0];
        var forwardWire = firstForward.ToLower().Wire.ToArray();
        return options.Zones.Select(zone =>
        {
            var wire = zone.ToLower().Wire.ToArray();
            var mname = ClusterNames.Build(forwardWire, "ns", "dns")!;
            var rname = ClusterNames.Build(wire, "hostmaster")!;
            var rdata = ClusterNames.SoaRdata(mname, rname, serial, 7200, 1800, 86400, options.Ttl);
            return new ZoneApex(zone, ClusterNames.IsReverseZone(zone), rdata, options.Ttl);
        }).ToArray();
    }
}
