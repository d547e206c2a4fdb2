using ClusterDns.Server.Telemetry;
using Prometheus;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// <c>coredns_kubernetes_dns_programming_duration_seconds{service_kind}</c>: from the endpoints controller's
/// last-change-trigger-time of a slice to the moment its records are published (answerable).
/// </summary>
public sealed class KubernetesMetrics
{
    public const string ClusterIp = "cluster_ip";
    public const string HeadlessWithSelector = "headless_with_selector";
    public const string HeadlessWithoutSelector = "headless_without_selector";

    private readonly Histogram.Child _clusterIp;
    private readonly Histogram.Child _headlessWithSelector;
    private readonly Histogram.Child _headlessWithoutSelector;

    public KubernetesMetrics(MetricsRegistry registry)
    {
        var family = registry.Histogram(
            "coredns_kubernetes_dns_programming_duration_seconds",
            "Histogram of the time (in seconds) it took to program a dns instance.",
            Histogram.ExponentialBuckets(0.001, 2, 20),
            "service_kind");
        _clusterIp = family.WithLabels(ClusterIp);
        _headlessWithSelector = family.WithLabels(HeadlessWithSelector);
        _headlessWithoutSelector = family.WithLabels(HeadlessWithoutSelector);
    }

    public void Observe(string serviceKind, TimeSpan duration)
    {
        var histogram = serviceKind switch
        {
            ClusterIp => _clusterIp,
            HeadlessWithSelector => _headlessWithSelector,
            _ => _headlessWithoutSelector,
        };
        histogram.Observe(Math.Max(0, duration.TotalSeconds));
    }
}
