using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Benchmarks;

/// <summary>
/// The load benchmark's cluster, in process: ClusterIP Services with two named ports over a set of
/// namespaces, and one headless Service with 5 ready endpoints per ten ClusterIP Services
/// (the same shapes bench/load/gen_cluster.py renders). Fed through the zone builder's real code path.
/// </summary>
internal sealed class SyntheticCluster
{
    private static readonly ResourceKind[] Kinds = [ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Namespace];

    /// <param name="pods">Running pods (one IPv4 address each, gen_cluster.py's) kept under <c>pods verified</c>; 0: no pods, <c>pods disabled</c>.</param>
    /// <param name="externalAddresses">Give every ClusterIP Service a load balancer ingress IP (k8s_external's records).</param>
    public SyntheticCluster(int services, int namespaces = 100, int pods = 0, bool externalAddresses = false)
    {
        string podsLine = pods > 0 ? "pods verified\n" : "";
        var document = CorefileParser.Parse($"cluster.local in-addr.arpa ip6.arpa {{\nkubernetes cluster.local in-addr.arpa ip6.arpa {{\nttl 30\n{podsLine}}}\n}}", "Corefile");
        var block = document.ServerBlocks[0];
        Zones = block.Keys.Select(k => DnsName.Parse(k.Zone)).ToArray();
        var blockBuilder = new ServerBlockBuilder(block, Zones, 53, new ServerBuildContext("Corefile"));
        var options = KubernetesSetup.ParseOptions(block.Directives[0], blockBuilder);
        Builder = new ClusterZoneBuilder(options, Kinds);
        for (int n = 0; n < namespaces; n++)
        {
            var ns = new NamespaceObject { Name = "ns" + n };
            Builder.Apply(ClusterChange.Upsert(ResourceKind.Namespace, ns.Key, ns));
        }
        var http = new ServicePort("http", "TCP", 80);
        var grpc = new ServicePort("grpc", "TCP", 9090);
        for (int i = 0; i < services; i++)
        {
            var service = new ServiceObject
            {
                Namespace = "ns" + (i % namespaces),
                Name = "svc" + i,
                Type = "ClusterIP",
                ClusterIPs = [Address(10, 96, i)],
                ExternalIPs = externalAddresses ? [Address(203, 0, i)] : [],
                Ports = [http, grpc],
            };
            Builder.Apply(ClusterChange.Upsert(ResourceKind.Service, service.Key, service));
        }
        var app = new ServicePort("tcp-app", "TCP", 8080);
        for (int h = 0; h < Math.Max(1, services / 10); h++)
        {
            var service = new ServiceObject { Namespace = "ns" + (h % namespaces), Name = "headless" + h, Type = "ClusterIP", IsHeadless = true, Ports = [app] };
            var slice = new EndpointSliceObject
            {
                Namespace = service.Namespace,
                Name = service.Name + "-abcde",
                ServiceName = service.Name,
                AddressType = "IPv4",
                Endpoints = Enumerable.Range(0, 5).Select(e => new EndpointObject { Addresses = [Address(10, 128, h * 5 + e)], Ready = true }).ToArray(),
                Ports = [app],
            };
            Builder.Apply(ClusterChange.Upsert(ResourceKind.Service, service.Key, service));
            Builder.Apply(ClusterChange.Upsert(ResourceKind.EndpointSlice, slice.Key, slice));
        }
        for (int p = 0; p < pods; p++)
        {
            var pod = new PodObject { Namespace = "ns" + (p % namespaces), Name = "pod" + p, PodIPs = [Address(10, 244, p)], Phase = "Running" };
            Builder.Apply(ClusterChange.Upsert(ResourceKind.Pod, pod.Key, pod));
        }
        foreach (var kind in Kinds)
        {
            Builder.Apply(ClusterChange.Synced(kind));
        }
        Builder.Publish();
        Handler = new KubernetesHandler(options, () => Builder.Current, builder: Builder);
    }

    public IReadOnlyList<DnsName> Zones { get; }

    public ClusterZoneBuilder Builder { get; }

    public KubernetesHandler Handler { get; }

    /// <summary>first.second.0.0 plus 256 + index: the addresses gen_cluster.py assigns.</summary>
    private static IPAddress Address(int first, int second, int index)
    {
        int n = 256 + index;
        return new IPAddress(new[] { (byte)first, (byte)(second + (n >> 16)), (byte)(n >> 8), (byte)n });
    }
}
