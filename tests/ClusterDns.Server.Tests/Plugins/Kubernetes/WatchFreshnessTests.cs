using System.Diagnostics;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// kubernetes { stale_after }: a watch down longer than the bound makes the plugin unready with a reason, while the
/// zone keeps answering; the reopened watch makes it ready again. The fake API server refuses watches on demand.
/// </summary>
public sealed class WatchFreshnessTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private FakeKubernetesApiServer _api = null!;
    private DnsServer _dns = null!;
    private ClusterZoneComponent _zone = null!;
    private ClusterDns.Server.Telemetry.MetricsRegistry _metrics = null!;
    private string _directory = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApiServer.StartAsync();
        _api.Store.Apply("namespaces", """{"metadata":{"name":"shop"}}""");
        _api.Store.Apply("services", """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.20"}}""");
        _directory = Directory.CreateTempSubdirectory("clusterdns-fresh-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_directory, "kubeconfig"), _api.KubeConfig());
        _port = FreePorts.Loopback();
        var corefile = Path.Combine(_directory, "Corefile");
        await File.WriteAllTextAsync(corefile, $$"""
            cluster.local:{{_port}} {
                bind 127.0.0.1
                kubernetes cluster.local {
                    kubeconfig kubeconfig
                    stale_after 1s
                }
            }
            """);
        var pipeline = new CorefileLoader(NullLoggerFactory.Instance).Load(corefile);
        _zone = pipeline.Components.OfType<ClusterZoneComponent>().Single();
        _metrics = pipeline.Context.Metrics;
        _dns = new DnsServer(NullLoggerFactory.Instance);
        await _dns.StartAsync(pipeline, CancellationToken.None);
        await _zone.FirstSync.WaitAsync(Bound);
    }

    public async Task DisposeAsync()
    {
        await _dns.StopAsync(TimeSpan.Zero, CancellationToken.None);
        await _dns.DisposeAsync();
        await _api.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_watch_down_longer_than_stale_after_is_unready_with_a_reason_and_ready_again_on_resync()
    {
        await UntilAsync(() => _zone.IsReady && Health(ResourceKind.Service).Open);
        Assert.Contains("""coredns_kubernetes_watch_open{kind="Service"} 1""", _metrics.Scrape());

        _api.RefuseWatches = true;
        _api.Store.DisconnectWatches();
        await UntilAsync(() => !_zone.IsReady);

        Assert.Matches(@"^(Service|EndpointSlice|Namespace) watch down for \d+s", _zone.NotReadyReason);
        Assert.Equal(["kubernetes"], _dns.NotReady.ToArray());
        Assert.Contains("""coredns_kubernetes_watch_open{kind="Service"} 0""", _metrics.Scrape());
        // Unready only takes the replica out of the Service: the last known zone still answers.
        Assert.Equal(["10.96.0.20"], await DigClient.ShortAsync(_port, "web.shop.svc.cluster.local A"));

        _api.RefuseWatches = false;
        await UntilAsync(() => _zone.IsReady && Health(ResourceKind.Service).Open);
        Assert.Null(_zone.NotReadyReason);
        Assert.Contains("""coredns_kubernetes_watch_open{kind="Service"} 1""", _metrics.Scrape());
    }

    [Fact]
    public async Task A_watch_that_is_open_but_silent_is_not_stale()
    {
        // Nothing changes in the cluster: every kind stays silent past the 1 s bound, its watch open.
        await UntilAsync(() => Kinds().All(kind => Health(kind) is { Open: true } h && h.LastEventAge > TimeSpan.FromSeconds(1.5)));
        Assert.True(_zone.IsReady);
        Assert.Null(_zone.NotReadyReason);
    }

    [Fact]
    public async Task The_last_event_age_gauge_restarts_at_each_event_or_bookmark()
    {
        await UntilAsync(() => Health(ResourceKind.Service).LastEventAge > TimeSpan.FromSeconds(1));
        Assert.True(Sample("""coredns_kubernetes_watch_last_event_age_seconds{kind="Service"}""") > 1);

        _api.Store.SendBookmarks();
        await UntilAsync(() => Health(ResourceKind.Service).LastEventAge < TimeSpan.FromSeconds(1));
        Assert.True(Sample("""coredns_kubernetes_watch_last_event_age_seconds{kind="Service"}""") < 1);
    }

    private string Describe() => string.Join("; ", Kinds().Select(kind => $"{kind} {Health(kind)}")) + $"; synced {_zone.Current.Synced}";

    private double Sample(string series)
    {
        var line = _metrics.Scrape().Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static IEnumerable<ResourceKind> Kinds() => [ResourceKind.Service, ResourceKind.EndpointSlice, ResourceKind.Namespace];

    private WatchHealth Health(ResourceKind kind) => _zone.Source.Watch(kind) ?? throw new InvalidOperationException($"{kind} is not watched");

    /// <summary>A bounded poll of a state the informers change on their own threads.</summary>
    private async Task UntilAsync(Func<bool> condition)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < Bound, $"the state did not change in time: {Describe()}");
            await Task.Delay(20);
        }
    }
}
