using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.K8sExternal;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Whoami;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.K8sExternal;

/// <summary>
/// A <c>k8s_external</c> handler in front of a real kubernetes handler over a zone builder fed with objects, the
/// way a server block chains them (plugin order: k8s_external, kubernetes, then whoami standing for "the next plugin").
/// </summary>
public sealed class K8sExternalFixture
{
    private static readonly ResourceKind[] Kinds = [ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Namespace];

    public K8sExternalFixture(string externalDirective = "k8s_external example.com", string kubernetesDirective = "kubernetes cluster.local {\nnamespaces testns\n}",
        bool synced = true)
    {
        var document = CorefileParser.Parse($".:53 {{\n{kubernetesDirective}\n{externalDirective}\n}}\n", "Corefile");
        var block = document.ServerBlocks[0];
        Zones = [DnsName.Root];
        var builder = new ServerBlockBuilder(block, Zones, 53, new ServerBuildContext("Corefile"));
        var kubernetes = block.Directives.First(d => d.Name == "kubernetes");
        var external = block.Directives.First(d => d.Name == "k8s_external");
        var kubernetesOptions = KubernetesSetup.ParseOptions(kubernetes, builder);
        Builder = new ClusterZoneBuilder(kubernetesOptions, Kinds);
        Cluster = new KubernetesHandler(kubernetesOptions, () => Builder.Current) { Next = new WhoamiHandler() };
        Options = K8sExternalSetup.ParseOptions(external, builder);
        Handler = new K8sExternalHandler(Options, () => [Cluster], resolver: null, NullLogger.Instance) { Next = Cluster };
        if (synced)
        {
            MarkSynced();
        }
    }

    public IReadOnlyList<DnsName> Zones { get; }

    public ClusterZoneBuilder Builder { get; }

    public KubernetesHandler Cluster { get; }

    public K8sExternalOptions Options { get; }

    internal K8sExternalHandler Handler { get; }

    public void MarkSynced()
    {
        foreach (var kind in Kinds)
        {
            Builder.Apply(ClusterChange.Synced(kind));
        }
        Builder.Publish();
    }

    /// <summary>CoreDNS's test cluster (plugin/k8s_external/external_test.go), plus our own cases' objects.</summary>
    public K8sExternalFixture LoadTestCluster()
    {
        Upsert(new NamespaceObject { Name = "testns" });
        Upsert(new NamespaceObject { Name = "other" });
        Upsert(new NamespaceObject { Name = "kube-system" });
        var http = new ServicePort("http", "tcp", 80);
        Upsert(Service("testns", "svc1", "ClusterIP", ["10.0.0.1"], ["1.2.3.4"], [], http));
        Upsert(Service("testns", "svc6", "ClusterIP", ["10.0.0.3"], ["1:2::5"], [], http));
        Upsert(Service("testns", "svc11", "LoadBalancer", ["10.0.0.11"], ["1.2.3.4"], [], http));
        Upsert(Service("testns", "svc12", "LoadBalancer", ["10.0.0.12"], [], ["dummy.hostname"], http));
        // Ours: a Service with only a cluster IP, one with two addresses and two ports, one in a namespace not served.
        Upsert(Service("testns", "plain", "ClusterIP", ["10.0.0.20"], [], [], http));
        Upsert(Service("testns", "dual", "LoadBalancer", ["10.0.0.21"], ["5.6.7.8", "5.6.7.9"], [], http, new ServicePort("https", "tcp", 443), new ServicePort(null, "tcp", 8080)));
        Upsert(Service("other", "svc1", "ClusterIP", ["10.0.1.1"], ["9.9.9.9"], [], http));
        // The name servers' Service: its external address is ns1.dns.<zone>'s.
        Upsert(Service("kube-system", "kube-dns", "ClusterIP", ["10.96.0.10"], ["127.0.0.1"], []));
        // Headless, with two ready endpoints with hostnames and one not ready.
        var postgres = new ServicePort("postgres", "tcp", 5432);
        Upsert(new ServiceObject { Namespace = "testns", Name = "db", Type = "ClusterIP", IsHeadless = true, Ports = [postgres] });
        Upsert(new EndpointSliceObject
        {
            Namespace = "testns",
            Name = "db-abcde",
            ServiceName = "db",
            AddressType = "IPv4",
            Endpoints =
            [
                new EndpointObject { Addresses = [IPAddress.Parse("10.244.0.1")], Ready = true, Hostname = "db-0" },
                new EndpointObject { Addresses = [IPAddress.Parse("10.244.0.2")], Ready = true, Hostname = "db-1" },
                new EndpointObject { Addresses = [IPAddress.Parse("10.244.0.3")], Ready = false, Hostname = "db-2" },
            ],
            Ports = [postgres],
        });
        // Headless with an external IP: the external address wins, as in CoreDNS.
        Upsert(new ServiceObject { Namespace = "testns", Name = "hlext", Type = "ClusterIP", IsHeadless = true, ExternalIPs = [IPAddress.Parse("7.7.7.7")], Ports = [http] });
        Builder.Publish();
        return this;
    }

    public static ServiceObject Service(string ns, string name, string type, string[] clusterIPs, string[] externalIPs, string[] hostnames,
        params ServicePort[] ports) => new()
    {
        Namespace = ns,
        Name = name,
        Type = type,
        ClusterIPs = clusterIPs.Select(IPAddress.Parse).ToArray(),
        ExternalIPs = externalIPs.Select(IPAddress.Parse).ToArray(),
        IngressHostnames = hostnames,
        Ports = ports,
    };

    public void Upsert(object obj)
    {
        var change = obj switch
        {
            ServiceObject s => ClusterChange.Upsert(ResourceKind.Service, s.Key, s),
            EndpointSliceObject e => ClusterChange.Upsert(ResourceKind.EndpointSlice, e.Key, e),
            NamespaceObject n => ClusterChange.Upsert(ResourceKind.Namespace, n.Key, n),
            _ => throw new ArgumentException("not a cluster object: " + obj),
        };
        Builder.Apply(change);
    }

    public Task<DnsMessage> AskAsync(string name, RecordType type) =>
        InProcessQuery.AskAsync(Handler, Zones, name, type);

    /// <summary>The cluster zone's SOA serial: the outside zone's is the same counter.</summary>
    public uint Serial => Builder.Current.Serial;
}
