using System.Text;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Multicluster;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes.Multicluster;

/// <summary>
/// <c>multicluster clusterset.local</c> against a real HTTPS list/watch API (the fake API server), answering dig:
/// ServiceImports and their labelled slices follow the API; a cluster without the ServiceImport CRD serves the
/// cluster zone and is ready, and the CRD installed later is picked up.
/// </summary>
public sealed class MulticlusterApiServerTests : IAsyncLifetime
{
    private const string Import = """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterSetIP","ips":["10.42.0.1"],"ports":[{"name":"http","port":80,"protocol":"TCP"}]}}""";

    private FakeKubernetesApiServer _api = null!;
    private DnsServer _dns = null!;
    private ClusterZoneComponent _zone = null!;
    private string _directory = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApiServer.StartAsync();
        _api.Store.Apply("namespaces", """{"metadata":{"name":"shop"}}""");
        _api.Store.Apply("services", """{"metadata":{"name":"web","namespace":"shop"},"spec":{"clusterIP":"10.96.0.20"}}""");
        _directory = Directory.CreateTempSubdirectory("clusterdns-mcs-").FullName;
    }

    private async Task StartAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "kubeconfig"), $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {_api.Server}
                certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(_api.CertificateAuthority.CertificatePem))}
            users:
            - name: tester
              user:
                token: {_api.Token}
            contexts:
            - name: test
              context:
                cluster: fake
                user: tester
            current-context: test
            """);
        _port = FreePorts.Loopback();
        var corefile = Path.Combine(_directory, "Corefile");
        await File.WriteAllTextAsync(corefile, $$"""
            cluster.local:{{_port}} clusterset.local:{{_port}} {
                bind 127.0.0.1
                kubernetes cluster.local clusterset.local {
                    kubeconfig kubeconfig
                    multicluster clusterset.local
                    ttl 7
                }
            }
            """);
        var pipeline = new CorefileLoader(NullLoggerFactory.Instance).Load(corefile);
        _zone = pipeline.Components.OfType<ClusterZoneComponent>().Single();
        _dns = new DnsServer(NullLoggerFactory.Instance);
        await _dns.StartAsync(pipeline, CancellationToken.None);
        await _zone.FirstSync.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        if (_dns is not null)
        {
            await _dns.StopAsync(TimeSpan.Zero, CancellationToken.None);
            await _dns.DisposeAsync();
        }
        await _api.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Waits for the clusterset writer to publish an index for which <paramref name="condition"/> holds.</summary>
    private async Task PublishedAsync(Func<ClustersetBuilder, bool> condition)
    {
        var clusterset = _zone.Clusterset!;
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPublished()
        {
            if (condition(clusterset))
            {
                seen.TrySetResult();
            }
        }
        clusterset.Published += OnPublished;
        try
        {
            if (!condition(clusterset))
            {
                await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            clusterset.Published -= OnPublished;
        }
    }

    [Fact]
    public async Task Imports_and_their_slices_follow_the_api()
    {
        _api.Store.Apply("serviceimports", Import);
        await StartAsync();

        Assert.Equal(["10.42.0.1"], await DigClient.ShortAsync(_port, "web.shop.svc.clusterset.local A"));
        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(_port, "web.shop.svc.cluster.local A"));
        Assert.Equal(["0 100 80 web.shop.svc.clusterset.local."], await DigClient.ShortAsync(_port, "_http._tcp.web.shop.svc.clusterset.local SRV"));

        _api.Store.Apply("serviceimports", """{"metadata":{"name":"db","namespace":"shop"},"spec":{"type":"Headless"}}""");
        // A slice of the cluster zone's (kubernetes.io/service-name) is not the import's: only the labelled one counts.
        _api.Store.Apply("endpointslices", """{"metadata":{"name":"db-local","namespace":"shop","labels":{"kubernetes.io/service-name":"db"}},"addressType":"IPv4","endpoints":[{"addresses":["10.244.0.9"]}]}""");
        _api.Store.Apply("endpointslices", """{"metadata":{"name":"db-a","namespace":"shop","labels":{"multicluster.kubernetes.io/service-name":"db","multicluster.kubernetes.io/source-cluster":"cluster-a"}},"addressType":"IPv4","endpoints":[{"addresses":["10.3.0.5"],"hostname":"db-0"}],"ports":[{"name":"pg","port":5432,"protocol":"TCP"}]}""");
        await PublishedAsync(c => c.Has("shop/db"));
        Assert.Equal(["10.3.0.5"], await DigClient.ShortAsync(_port, "db.shop.svc.clusterset.local A"));
        Assert.Equal(["10.3.0.5"], await DigClient.ShortAsync(_port, "db-0.cluster-a.db.shop.svc.clusterset.local A"));
        Assert.Equal(["0 100 5432 db-0.cluster-a.db.shop.svc.clusterset.local."], await DigClient.ShortAsync(_port, "_pg._tcp.db.shop.svc.clusterset.local SRV"));

        _api.Store.Delete("endpointslices", "shop/db-a");
        await PublishedAsync(c => !c.Has("shop/db"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "db.shop.svc.clusterset.local A"));

        _api.Store.Delete("serviceimports", "shop/web");
        await PublishedAsync(c => !c.Has("shop/web"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "web.shop.svc.clusterset.local A"));
        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(_port, "web.shop.svc.cluster.local A"));
    }

    [Fact]
    public async Task Without_the_crd_the_cluster_zone_serves_and_the_crd_installed_later_is_picked_up()
    {
        _api.ServiceImportCrdInstalled = false;
        _api.Store.Apply("serviceimports", Import);
        await StartAsync();

        Assert.True(_zone.IsReady, _zone.NotReadyReason);
        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(_port, "web.shop.svc.cluster.local A"));
        // Listed as absent: a clusterset miss is a clean NXDOMAIN, not SERVFAIL.
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "web.shop.svc.clusterset.local A"));
        Assert.Contains(_api.Requests, r => r.StartsWith("GET /apis/multicluster.x-k8s.io/v1alpha1/serviceimports", StringComparison.Ordinal));

        _api.ServiceImportCrdInstalled = true;
        await PublishedAsync(c => c.Has("shop/web"));
        Assert.Equal(["10.42.0.1"], await DigClient.ShortAsync(_port, "web.shop.svc.clusterset.local A"));
        Assert.True(_zone.IsReady, _zone.NotReadyReason);
    }
}
