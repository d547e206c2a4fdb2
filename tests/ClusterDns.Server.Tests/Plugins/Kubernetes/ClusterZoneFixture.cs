using ClusterDns.Corefile;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Files;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Options;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>A kubernetes handler over a zone builder fed directly with objects (the writer's real code path).</summary>
public sealed class ClusterZoneFixture
{
    public ClusterZoneFixture(string corefileBlock = "kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure\n ttl 30 }", bool synced = true)
    {
        var document = CorefileParser.Parse($"cluster.local in-addr.arpa ip6.arpa {{\n{corefileBlock}\n}}", "Corefile");
        var block = document.ServerBlocks[0];
        var zones = block.Keys.Select(k => DnsName.Parse(k.Zone)).ToArray();
        var builder = new ServerBlockBuilder(block, zones, 53, new ServerBuildContext("Corefile"));
        Options = KubernetesSetup.ParseOptions(block.Directives[0], builder);
        Zones = zones;
        Builder = new ClusterZoneBuilder(Options, [ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Namespace]);
        Handler = new KubernetesHandler(Options, () => Builder.Current, pods: () => Builder.PodAddresses, builder: Builder);
        if (synced)
        {
            MarkSynced();
        }
    }

    public KubernetesOptions Options { get; }

    public IReadOnlyList<DnsName> Zones { get; }

    public ClusterZoneBuilder Builder { get; }

    public KubernetesHandler Handler { get; }

    public void MarkSynced()
    {
        foreach (var kind in new[] { ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Namespace })
        {
            Builder.Apply(ClusterChange.Synced(kind));
        }
        Builder.Publish();
    }

    public ClusterZoneFixture LoadDemoCluster()
    {
        var (objects, errors) = ManifestDirectorySource.LoadDirectory(RepositoryPaths.DemoCluster);
        Assert.Empty(errors);
        foreach (var obj in objects)
        {
            Upsert(obj);
        }
        Builder.Publish();
        return this;
    }

    public void Upsert(object obj)
    {
        var change = obj switch
        {
            ServiceObject s => ClusterChange.Upsert(ResourceKind.Service, s.Key, s),
            EndpointSliceObject e => ClusterChange.Upsert(ResourceKind.EndpointSlice, e.Key, e),
            PodObject p => ClusterChange.Upsert(ResourceKind.Pod, p.Key, p),
            NamespaceObject n => ClusterChange.Upsert(ResourceKind.Namespace, n.Key, n),
            _ => throw new ArgumentException("not a cluster object: " + obj),
        };
        Builder.Apply(change);
    }

    public void Delete(ResourceKind kind, string key) => Builder.Apply(ClusterChange.Delete(kind, key));

    public Task<DnsMessage> AskAsync(string name, RecordType type, TransportKind transport = TransportKind.Udp, ushort? ednsSize = 1232) =>
        InProcessQuery.AskAsync(Handler, Zones, name, type, transport, ednsSize);
}
