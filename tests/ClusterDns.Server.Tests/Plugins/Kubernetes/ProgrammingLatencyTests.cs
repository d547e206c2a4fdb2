using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Telemetry;
using static ClusterDns.Server.Tests.Plugins.Kubernetes.ClusterObjects;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>coredns_kubernetes_dns_programming_duration_seconds: trigger time of a slice → publish, by service kind.</summary>
public sealed class ProgrammingLatencyTests
{
    private sealed class PinnedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Live_slice_changes_are_measured_from_their_trigger_time_by_service_kind()
    {
        var registry = new MetricsRegistry();
        var now = new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);
        var options = new KubernetesOptions { Zones = [DnsName.Parse("cluster.local.")] };
        var builder = new ClusterZoneBuilder(options, [ResourceKind.Service, ResourceKind.EndpointSlice])
        {
            Metrics = new KubernetesMetrics(registry),
            Time = new PinnedClock(now),
        };
        var http = new ServicePort("http", "TCP", 80);
        var web = ClusterIp("a", "web", "10.96.0.5", http);
        builder.Apply(ClusterChange.Upsert(ResourceKind.Service, web.Key, web));
        var headless = new ServiceObject { Namespace = "a", Name = "db", Type = "ClusterIP", IsHeadless = true, HasSelector = true, Ports = [http] };
        builder.Apply(ClusterChange.Upsert(ResourceKind.Service, headless.Key, headless));
        // A slice from the first list: replayed history, not measured.
        var old = Slice("a", "web", "web-1", [Endpoint("10.1.0.1")], http);
        builder.Apply(ClusterChange.Upsert(ResourceKind.EndpointSlice, old.Key, WithTrigger(old, now.AddHours(-3))));
        builder.Apply(ClusterChange.Synced(ResourceKind.Service));
        builder.Apply(ClusterChange.Synced(ResourceKind.EndpointSlice));
        builder.Publish();

        var live = Slice("a", "web", "web-1", [Endpoint("10.1.0.2")], http);
        builder.Apply(ClusterChange.Upsert(ResourceKind.EndpointSlice, live.Key, WithTrigger(live, now.AddMilliseconds(-40))));
        var db = Slice("a", "db", "db-1", [Endpoint("10.1.0.3")], http);
        builder.Apply(ClusterChange.Upsert(ResourceKind.EndpointSlice, db.Key, WithTrigger(db, now.AddMilliseconds(-3))));
        builder.Publish();

        string scrape = registry.Scrape();
        Assert.Contains("coredns_kubernetes_dns_programming_duration_seconds_count{service_kind=\"cluster_ip\"} 1", scrape);
        Assert.Contains("coredns_kubernetes_dns_programming_duration_seconds_sum{service_kind=\"cluster_ip\"} 0.04", scrape);
        Assert.Contains("coredns_kubernetes_dns_programming_duration_seconds_count{service_kind=\"headless_with_selector\"} 1", scrape);
        Assert.Contains("coredns_kubernetes_dns_programming_duration_seconds_bucket{service_kind=\"headless_with_selector\",le=\"0.004\"} 1", scrape);
        Assert.Contains("coredns_kubernetes_dns_programming_duration_seconds_count{service_kind=\"headless_without_selector\"} 0", scrape);
    }

    private static EndpointSliceObject WithTrigger(EndpointSliceObject slice, DateTimeOffset at) => new()
    {
        Namespace = slice.Namespace,
        Name = slice.Name,
        ServiceName = slice.ServiceName,
        AddressType = slice.AddressType,
        Endpoints = slice.Endpoints,
        Ports = slice.Ports,
        LastChangeTriggerTime = at,
    };
}
