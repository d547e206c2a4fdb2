using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Options;

namespace ClusterDns.Server.Plugins.Kubernetes.Multicluster;

/// <summary>
/// <c>explain</c> for the multicluster zones: which ServiceImport and which of its labelled EndpointSlices a
/// clusterset name (KEP-1645: <c>svc.ns.svc.zone</c>, <c>_port._proto.svc.ns.svc.zone</c>,
/// <c>hostname.clusterid.svc.ns.svc.zone</c>) is answered from. A diagnostic path, on the writer's thread.
/// </summary>
internal sealed class ClustersetAnswerSources(KubernetesOptions options, ClustersetBuilder builder)
{
    /// <summary>The multicluster zone of <paramref name="name"/> (null when none), the objects and notes.</summary>
    public (DnsName? Zone, List<AnswerSource> Objects, List<string> Notes) Find(DnsName name)
    {
        var objects = new List<AnswerSource>();
        var notes = new List<string>();
        var (zone, labels) = ClusterAnswerSources.SplitAtZone(options.Multicluster, name.ToLower());
        if (zone is null)
        {
            return (null, objects, notes);
        }
        switch (labels)
        {
            case []:
                notes.Add("the multicluster zone's apex: SOA and NS");
                break;
            case [var service, var ns, "svc"]:
                AddImport(ns + "/" + service, "the import's ClusterSetIPs (or, headless, its ready endpoints in every cluster)", objects, notes);
                AddSlices(ns + "/" + service, cluster: null, objects);
                break;
            case [var port, var protocol, var service, var ns, "svc"] when port.StartsWith('_') && protocol.StartsWith('_'):
                AddImport(ns + "/" + service, $"the import's port {port} of protocol {protocol}", objects, notes);
                AddSlices(ns + "/" + service, cluster: null, objects);
                break;
            case [var cluster, var service, var ns, "svc"]:
                notes.Add($"{cluster} names a cluster of the set: the name exists when one of its endpoints is below it, with no records of its own");
                AddImport(ns + "/" + service, "the headless import", objects, notes);
                AddSlices(ns + "/" + service, cluster, objects);
                break;
            case [_, var cluster, var service, var ns, "svc"]:
                AddImport(ns + "/" + service, "the headless import the endpoint belongs to", objects, notes);
                AddSlices(ns + "/" + service, cluster, objects);
                break;
            default:
                notes.Add("not a name KEP-1645 defines: the answer is NXDOMAIN");
                break;
        }
        if (objects.Count == 0 && notes.Count == 0)
        {
            notes.Add("no ServiceImport holds this name now");
        }
        return (zone, objects, notes);
    }

    private void AddImport(string key, string role, List<AnswerSource> objects, List<string> notes)
    {
        if (builder.Import(key) is null)
        {
            notes.Add($"no ServiceImport {key}: the name is NXDOMAIN");
            return;
        }
        objects.Add(new AnswerSource(ResourceKind.ServiceImport, key, role));
    }

    /// <summary>The import's labelled slices, those of one cluster (its <c>source-cluster</c> label) when given.</summary>
    private void AddSlices(string key, string? cluster, List<AnswerSource> objects)
    {
        foreach (var (sliceKey, slice) in builder.SlicesOf(key).OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (cluster is null || string.Equals(slice.SourceCluster, cluster, StringComparison.OrdinalIgnoreCase))
            {
                string from = slice.SourceCluster is { } source ? $" of cluster {source}" : "";
                objects.Add(new AnswerSource(ResourceKind.MulticlusterEndpointSlice, sliceKey, $"endpoints{from} (labelled multicluster.kubernetes.io/service-name)"));
            }
        }
    }
}
