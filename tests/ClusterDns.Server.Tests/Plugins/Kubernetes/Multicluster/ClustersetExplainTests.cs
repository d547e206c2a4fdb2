using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Multicluster;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes.Multicluster;

/// <summary>
/// <c>explain</c> of clusterset names (zones/demo-clusterset): each KEP-1645 name shape names the ServiceImport and
/// the labelled slices its answers come from — for a <c>hostname.clusterid</c> name only that cluster's slices — and a
/// name no import holds says so.
/// </summary>
public sealed class ClustersetExplainTests
{
    private static readonly Lazy<Task<ClustersetFixture>> Demo = new(() => new ClustersetFixture().LoadAsync());

    public static TheoryData<string, string[]> Cases => new()
    {
        { "web.shop.svc.clusterset.local.", ["ServiceImport shop/web"] },
        { "_http._tcp.web.shop.svc.clusterset.local.", ["ServiceImport shop/web"] },
        { "pets.db.svc.clusterset.local.", ["ServiceImport db/pets", "MulticlusterEndpointSlice db/pets-cluster-a", "MulticlusterEndpointSlice db/pets-cluster-b"] },
        { "pet-1.cluster-a.pets.db.svc.clusterset.local.", ["ServiceImport db/pets", "MulticlusterEndpointSlice db/pets-cluster-a"] },
        { "PET-1.Cluster-B.pets.db.svc.clusterset.local.", ["ServiceImport db/pets", "MulticlusterEndpointSlice db/pets-cluster-b"] },
        { "cluster-b.pets.db.svc.clusterset.local.", ["ServiceImport db/pets", "MulticlusterEndpointSlice db/pets-cluster-b"] },
        { "nothing.db.svc.clusterset.local.", [] },
        { "clusterset.local.", [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_clusterset_name_is_explained_by_its_import_and_slices(string name, string[] expected)
    {
        var demo = await Demo.Value;
        var (zone, objects, notes) = new ClustersetAnswerSources(demo.Options, demo.Clusterset).Find(DnsName.Parse(name));

        Assert.Equal("clusterset.local.", zone?.ToString());
        Assert.Equal(expected, objects.Select(o => $"{o.Kind} {o.Key}"));
        Assert.True(objects.Count > 0 || notes.Count > 0, "a name without objects must say why");
    }

    [Fact]
    public async Task A_name_outside_the_multicluster_zones_is_not_explained_here()
    {
        var demo = await Demo.Value;
        var (zone, objects, _) = new ClustersetAnswerSources(demo.Options, demo.Clusterset).Find(DnsName.Parse("web.shop.svc.cluster.local."));

        Assert.Null(zone);
        Assert.Empty(objects);
    }
}
