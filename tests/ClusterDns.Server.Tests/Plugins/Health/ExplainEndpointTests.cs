using System.Net;
using System.Text.Json;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Network;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Health;

/// <summary>
/// GET /explain on the health port, over real HTTP, with the zone fed by list/watch from the fake API server:
/// the answer the server gives now and the objects behind it, with the resourceVersions the API gave them.
/// </summary>
public sealed class ExplainEndpointTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private FakeKubernetesApiServer _api = null!;
    private DnsServer _dns = null!;
    private ClusterZoneComponent _zone = null!;
    private readonly HttpClient _http = new() { Timeout = Bound };
    private string _directory = null!;
    private int _healthPort;
    private long _webVersion;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApiServer.StartAsync();
        _api.Store.Apply("namespaces", """{"metadata":{"name":"shop"}}""");
        _webVersion = _api.Store.Apply("services", """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.20"}}""");
        _directory = Directory.CreateTempSubdirectory("clusterdns-explain-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_directory, "kubeconfig"), _api.KubeConfig());
        int dnsPort = FreePorts.Loopback();
        _healthPort = FreePorts.Loopback();
        var corefile = Path.Combine(_directory, "Corefile");
        await File.WriteAllTextAsync(corefile, $$"""
            cluster.local:{{dnsPort}} {
                bind 127.0.0.1
                health 127.0.0.1:{{_healthPort}}
                kubernetes cluster.local {
                    kubeconfig kubeconfig
                }
            }
            """);
        var pipeline = new CorefileLoader(NullLoggerFactory.Instance).Load(corefile);
        _zone = pipeline.Components.OfType<ClusterZoneComponent>().Single();
        _dns = new DnsServer(NullLoggerFactory.Instance);
        await _dns.StartAsync(pipeline, CancellationToken.None);
        await _zone.FirstSync.WaitAsync(Bound);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _dns.StopAsync(TimeSpan.Zero, CancellationToken.None);
        await _dns.DisposeAsync();
        await _api.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_service_name_is_explained_by_the_service_at_the_version_the_api_gave_it()
    {
        using var document = await ExplainAsync("web.shop.svc.cluster.local", "A");
        var root = document.RootElement;

        Assert.Equal("NOERROR", root.GetProperty("answer").GetProperty("rcode").GetString());
        Assert.Contains("10.96.0.20", root.GetProperty("answer").GetProperty("answer")[0].GetString());
        var source = root.GetProperty("sources").EnumerateArray().Single();
        Assert.Equal("kubernetes", source.GetProperty("plugin").GetString());
        Assert.True(source.GetProperty("synced").GetBoolean());
        var service = source.GetProperty("objects").EnumerateArray().Single();
        Assert.Equal("Service", service.GetProperty("kind").GetString());
        Assert.Equal("shop/web", service.GetProperty("key").GetString());
        Assert.Equal(_webVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), service.GetProperty("resourceVersion").GetString());
        Assert.InRange(service.GetProperty("ageSeconds").GetDouble(), 0, Bound.TotalSeconds);
        // Each watched kind reports its watch (open, or being reopened right after the first list) and its last event.
        var watches = source.GetProperty("watches").EnumerateArray().ToList();
        Assert.Equal(["EndpointSlice", "Namespace", "Service"], watches.Select(w => w.GetProperty("kind").GetString()).Order());
        Assert.All(watches, w =>
        {
            Assert.Contains(w.GetProperty("open").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
            Assert.InRange(w.GetProperty("lastEventAgeSeconds").GetDouble(), 0, Bound.TotalSeconds);
        });
    }

    [Fact]
    public async Task After_an_update_the_new_version_and_the_new_answer_are_shown()
    {
        // The zone's serial is the highest resourceVersion applied: a publish at or past the update's version holds it.
        var published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long updated = 0;
        _zone.Published += index =>
        {
            if (Interlocked.Read(ref updated) is > 0 and var version && index.Serial >= version)
            {
                published.TrySetResult();
            }
        };
        Interlocked.Exchange(ref updated, _api.Store.Apply("services", """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.21"}}"""));
        if (_zone.Current.Serial >= updated)
        {
            published.TrySetResult();
        }
        await published.Task.WaitAsync(Bound);

        using var document = await ExplainAsync("web.shop.svc.cluster.local", "A");
        var root = document.RootElement;
        Assert.Contains("10.96.0.21", root.GetProperty("answer").GetProperty("answer")[0].GetString());
        var service = root.GetProperty("sources")[0].GetProperty("objects")[0];
        Assert.Equal(updated.ToString(System.Globalization.CultureInfo.InvariantCulture), service.GetProperty("resourceVersion").GetString());
        Assert.True(updated > _webVersion);
        Assert.Equal(_zone.Current.Serial, root.GetProperty("sources")[0].GetProperty("serial").GetUInt32());
    }

    [Fact]
    public async Task A_name_outside_the_cluster_zone_has_no_cluster_source()
    {
        using var document = await ExplainAsync("www.example.com", "AAAA");
        Assert.Equal(0, document.RootElement.GetProperty("sources").GetArrayLength());
        Assert.Equal("AAAA", document.RootElement.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("", "give ?name=")]
    [InlineData("?name=a..b", "is not a domain name")]
    [InlineData("?name=web.shop.svc.cluster.local&type=BOGUS", "is not a record type")]
    public async Task Bad_requests_get_400_with_the_reason(string query, string reason)
    {
        using var response = await _http.GetAsync($"http://127.0.0.1:{_healthPort}/explain{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonDocument> ExplainAsync(string name, string type)
    {
        using var response = await _http.GetAsync($"http://127.0.0.1:{_healthPort}/explain?name={name}&type={type}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body);
    }
}
