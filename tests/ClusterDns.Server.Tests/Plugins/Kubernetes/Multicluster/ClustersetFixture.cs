using System.Threading.Channels;
using ClusterDns.Corefile;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Multicluster;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Files;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes.Multicluster;

/// <summary>
/// A kubernetes handler with <c>multicluster clusterset.local</c> over both writers (the cluster zone's and the
/// clusterset's), fed the changes a real source emits: the manifest source reading zones/demo-clusterset.
/// </summary>
public sealed class ClustersetFixture
{
    private static readonly ResourceKind[] Kinds =
        [ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Namespace, ResourceKind.ServiceImport, ResourceKind.MulticlusterEndpointSlice];

    public ClustersetFixture(string options = "multicluster clusterset.local\n ttl 30")
    {
        var document = CorefileParser.Parse(
            $"cluster.local clusterset.local in-addr.arpa ip6.arpa {{\nkubernetes cluster.local clusterset.local in-addr.arpa ip6.arpa {{\n{options}\n}}\n}}", "Corefile");
        var block = document.ServerBlocks[0];
        Zones = block.Keys.Select(k => DnsName.Parse(k.Zone)).ToArray();
        var builder = new ServerBlockBuilder(block, Zones, 53, new ServerBuildContext("Corefile"));
        Options = KubernetesSetup.ParseOptions(block.Directives[0], builder);
        Cluster = new ClusterZoneBuilder(Options, Kinds);
        Clusterset = new ClustersetBuilder(Options);
        Handler = new KubernetesHandler(Options, () => Cluster.Current, resolver: null, Clusterset);
    }

    public KubernetesOptions Options { get; }

    public IReadOnlyList<DnsName> Zones { get; }

    public ClusterZoneBuilder Cluster { get; }

    public ClustersetBuilder Clusterset { get; }

    public KubernetesHandler Handler { get; }

    /// <summary>One change to both writers, as the component's writer loop applies it.</summary>
    public void Apply(ClusterChange change)
    {
        Cluster.Apply(change);
        Clusterset.Apply(change);
    }

    public void Publish()
    {
        Cluster.Publish();
        Clusterset.Publish();
    }

    /// <summary>Every change the manifest source emits for <paramref name="directory"/> up to its first sync, applied and published.</summary>
    public async Task<ClustersetFixture> LoadAsync(string? directory = null)
    {
        var source = new ManifestDirectorySource(directory ?? RepositoryPaths.PathOf("zones", "demo-clusterset"));
        var channel = Channel.CreateUnbounded<ClusterChange>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var running = source.RunAsync(channel.Writer, stop.Token);
        var synced = new HashSet<ResourceKind>();
        while (!synced.IsSupersetOf(Kinds))
        {
            var change = await channel.Reader.ReadAsync(stop.Token);
            Apply(change);
            if (change.Type == ChangeType.Synced)
            {
                synced.Add(change.Kind);
            }
        }
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Publish();
        return this;
    }

    public Task<DnsMessage> AskAsync(string name, RecordType type) => InProcessQuery.AskAsync(Handler, Zones, name, type);
}
