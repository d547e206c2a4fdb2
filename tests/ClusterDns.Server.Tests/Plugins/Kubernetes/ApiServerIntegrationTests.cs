using System.Text;
using ClusterDns.Server.Config;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;
using Microsoft.Extensions.Logging.Abstractions;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// The whole path against a real HTTPS list/watch API (the fake API server): the server built from a
/// Corefile with a kubeconfig, answering dig; API changes, severed watches and 410s converge.
/// </summary>
public sealed class ApiServerIntegrationTests : IAsyncLifetime
{
    private FakeKubernetesApiServer _api = null!;
    private DnsServer _dns = null!;
    private ClusterZoneComponent _zone = null!;
    private string _directory = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApiServer.StartAsync();
        _api.Store.Apply("namespaces", """{"metadata":{"name":"shop"}}""");
        _api.Store.Apply("services", """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.20","ports":[{"name":"http","port":80,"protocol":"TCP"}]}}""");
        _directory = Directory.CreateTempSubdirectory("clusterdns-api-").FullName;
        var kubeconfig = Path.Combine(_directory, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $"""
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
            cluster.local:{{_port}} in-addr.arpa:{{_port}} {
                bind 127.0.0.1
                kubernetes cluster.local in-addr.arpa {
                    kubeconfig kubeconfig
                    pods verified
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
        await _dns.StopAsync(TimeSpan.Zero, CancellationToken.None);
        await _dns.DisposeAsync();
        await _api.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Waits for the writer to publish a snapshot for which <paramref name="condition"/> holds.</summary>
    private Task PublishedAsync(Func<ClusterIndex, bool> condition) =>
        WhenPublishedAsync(() => _zone.Current, h => _zone.Published += h, h => _zone.Published -= h, condition);

    /// <summary>Waits for the writer to publish a pod address index for which <paramref name="condition"/> holds.</summary>
    private Task PodsPublishedAsync(Func<PodAddressIndex, bool> condition) =>
        WhenPublishedAsync(() => _zone.PodAddresses, h => _zone.PodAddressesPublished += h, h => _zone.PodAddressesPublished -= h, condition);

    private static async Task WhenPublishedAsync<T>(Func<T> current, Action<Action<T>> subscribe, Action<Action<T>> unsubscribe, Func<T, bool> condition)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPublished(T published)
        {
            if (condition(published))
            {
                seen.TrySetResult();
            }
        }
        subscribe(OnPublished);
        try
        {
            if (!condition(current()))
            {
                await seen.Task.WaitAsync(TimeSpan.FromSeconds(20));
            }
        }
        finally
        {
            unsubscribe(OnPublished);
        }
    }

    private static bool HoldsShopWorker(PodAddressIndex index) => index.Holds([10, 244, 0, 9], "\x04shop"u8);

    private static Func<ClusterIndex, bool> Has(string name, bool present = true) =>
        index => index.Contains(Protocol.DnsName.Parse(name).ToLower().Wire) == present;

    [Fact]
    public async Task Services_are_answered_after_the_first_list_and_follow_create_update_delete()
    {
        Assert.True(_zone.IsReady);
        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(_port, "web.shop.svc.cluster.local A"));

        _api.Store.Apply("services", """{"metadata":{"name":"cart","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.30"}}""");
        await PublishedAsync(Has("cart.shop.svc.cluster.local."));
        Assert.Equal(["10.96.0.30"], await DigClient.ShortAsync(_port, "cart.shop.svc.cluster.local A"));

        _api.Store.Apply("services", """{"metadata":{"name":"cart","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.31"}}""");
        await PublishedAsync(Has("31.0.96.10.in-addr.arpa."));
        Assert.Equal(["10.96.0.31"], await DigClient.ShortAsync(_port, "cart.shop.svc.cluster.local A"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "-x 10.96.0.30"));

        _api.Store.Delete("services", "shop/cart");
        await PublishedAsync(Has("cart.shop.svc.cluster.local.", present: false));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "cart.shop.svc.cluster.local A"));
    }

    [Fact]
    public async Task Endpoint_slices_and_namespaces_follow_the_api()
    {
        _api.Store.Apply("services", """{"metadata":{"name":"db","namespace":"shop"},"spec":{"clusterIP":"None","ports":[{"name":"pg","port":5432,"protocol":"TCP"}]}}""");
        _api.Store.Apply("endpointslices", """{"metadata":{"name":"db-1","namespace":"shop","labels":{"kubernetes.io/service-name":"db"}},"addressType":"IPv4","endpoints":[{"addresses":["10.244.0.5"],"hostname":"db-0","conditions":{"ready":true}}],"ports":[{"name":"pg","port":5432,"protocol":"TCP"}]}""");
        await PublishedAsync(Has("db-0.db.shop.svc.cluster.local."));
        Assert.Equal(["10.244.0.5"], await DigClient.ShortAsync(_port, "db.shop.svc.cluster.local A"));
        Assert.Equal(["0 100 5432 db-0.db.shop.svc.cluster.local."], await DigClient.ShortAsync(_port, "_pg._tcp.db.shop.svc.cluster.local SRV"));

        _api.Store.Delete("endpointslices", "shop/db-1");
        await PublishedAsync(Has("db-0.db.shop.svc.cluster.local.", present: false));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "db.shop.svc.cluster.local A"));

        _api.Store.Apply("namespaces", """{"metadata":{"name":"empty"}}""");
        await PublishedAsync(Has("empty.svc.cluster.local."));
        Assert.Equal("NOERROR", await DigClient.StatusAsync(_port, "empty.svc.cluster.local A"));
        _api.Store.Delete("namespaces", "empty");
        await PublishedAsync(Has("empty.svc.cluster.local.", present: false));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "empty.svc.cluster.local A"));
    }

    [Fact]
    public async Task With_pods_verified_pods_are_watched_and_answer_only_while_they_exist()
    {
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "10-244-0-9.shop.pod.cluster.local A"));
        _api.Store.Apply("pods", """{"metadata":{"name":"worker","namespace":"shop"},"status":{"phase":"Running","podIP":"10.244.0.9","podIPs":[{"ip":"10.244.0.9"}]}}""");
        await PodsPublishedAsync(HoldsShopWorker);
        Assert.Equal(["10.244.0.9"], await DigClient.ShortAsync(_port, "10-244-0-9.shop.pod.cluster.local A"));

        _api.Store.Delete("pods", "shop/worker");
        await PodsPublishedAsync(index => !HoldsShopWorker(index));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "10-244-0-9.shop.pod.cluster.local A"));
    }

    [Fact]
    public async Task A_severed_watch_resumes_and_converges()
    {
        _api.Store.DisconnectWatches();
        _api.Store.Apply("services", """{"metadata":{"name":"after-cut","namespace":"shop"},"spec":{"clusterIP":"10.96.0.40"}}""");
        _api.Store.Delete("services", "shop/web");
        await PublishedAsync(index => Has("after-cut.shop.svc.cluster.local.")(index) && Has("web.shop.svc.cluster.local.", present: false)(index));
        Assert.Equal(["10.96.0.40"], await DigClient.ShortAsync(_port, "after-cut.shop.svc.cluster.local A"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "web.shop.svc.cluster.local A"));
    }

    [Fact]
    public async Task A_410_gone_relists_and_deleted_objects_disappear()
    {
        // While every watch is expired and history compacted, the API changes: a relist must reconcile.
        _api.Store.Apply("services", """{"metadata":{"name":"new-after-410","namespace":"shop"},"spec":{"clusterIP":"10.96.0.50"}}""");
        _api.Store.Delete("services", "shop/web");
        _api.Store.Compact();
        _api.Store.ExpireWatches();
        await PublishedAsync(index => Has("new-after-410.shop.svc.cluster.local.")(index) && Has("web.shop.svc.cluster.local.", present: false)(index));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "web.shop.svc.cluster.local A"));
        Assert.Equal(["10.96.0.50"], await DigClient.ShortAsync(_port, "new-after-410.shop.svc.cluster.local A"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_killed_api_server_restarted_as_the_same_server_serves_the_changes_made_while_it_was_down(bool compacted)
    {
        // The fault soak's restart (bench/soak/faults.py): same port, CA and token, the same history replayed,
        // then the changes made while it was down; compacted, the resuming watch gets 410 Gone and relists.
        int port = _api.Server.Port;
        string caPem = _api.CertificateAuthority.CertificatePem, keyPem = _api.CertificateAuthority.PrivateKeyPem, token = _api.Token;
        long revision = _api.Store.Revision;
        await _api.DisposeAsync();
        _api = await FakeKubernetesApiServer.StartAsync(port, TestCertificateAuthority.FromPem(caPem, keyPem), token);
        _api.RefuseWatches = true; // until history is back: a watch resuming now would see a half-replayed store
        _api.Store.Apply("namespaces", """{"metadata":{"name":"shop"}}""");
        _api.Store.Apply("services", """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.20","ports":[{"name":"http","port":80,"protocol":"TCP"}]}}""");
        Assert.Equal(revision, _api.Store.Revision);
        _api.Store.Apply("services", """{"metadata":{"name":"while-down","namespace":"shop"},"spec":{"clusterIP":"10.96.0.60"}}""");
        _api.Store.Delete("services", "shop/web");
        if (compacted)
        {
            _api.Store.Compact();
        }
        _api.RefuseWatches = false;

        await PublishedAsync(index => Has("while-down.shop.svc.cluster.local.")(index) && Has("web.shop.svc.cluster.local.", present: false)(index));
        Assert.Equal(["10.96.0.60"], await DigClient.ShortAsync(_port, "while-down.shop.svc.cluster.local A"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "web.shop.svc.cluster.local A"));
        if (compacted)
        {
            Assert.Contains(_api.Requests, r => r.StartsWith("GET /api/v1/services", StringComparison.Ordinal) && !r.Contains("watch=", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task While_the_api_server_is_gone_the_last_known_zone_keeps_answering()
    {
        await _api.DisposeAsync();
        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(_port, "web.shop.svc.cluster.local A"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(_port, "nothing.shop.svc.cluster.local A"));
        _api = await FakeKubernetesApiServer.StartAsync();
    }
}
