using ClusterDns.Protocol;
using ClusterDns.Server.Telemetry;
using Prometheus;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// One upstream's series of CoreDNS's forward metrics (both the 1.10 <c>coredns_forward_*</c> names dashboards
/// use and the newer <c>coredns_proxy_*</c> ones). Series per RCODE are created on first use and kept, so the
/// query path only increments.
/// </summary>
internal sealed class UpstreamMetrics
{
    private const int RcodeSlots = 24;

    private readonly MetricsRegistry _registry;
    private readonly string _to;
    private readonly Counter.Child _requests;
    private readonly Counter.Child _healthcheckFailures;
    private readonly Counter.Child _proxyHealthcheckFailures;
    private readonly Counter.Child?[] _responses = new Counter.Child?[RcodeSlots];
    private readonly Histogram.Child?[] _durations = new Histogram.Child?[RcodeSlots];
    private readonly Histogram.Child?[] _proxyDurations = new Histogram.Child?[RcodeSlots];

    public UpstreamMetrics(MetricsRegistry registry, string to)
    {
        _registry = registry;
        _to = to;
        _requests = registry.Counter("coredns_forward_requests_total", "Counter of requests made per upstream.", "to").WithLabels(to);
        _healthcheckFailures = registry.Counter("coredns_forward_healthcheck_failures_total", "Counter of the number of failed healthchecks.", "to").WithLabels(to);
        _proxyHealthcheckFailures = registry.Counter("coredns_proxy_healthcheck_failures_total", "Counter of the number of failed healthchecks.", "proxy_name", "to").WithLabels("forward", to);
    }

    public void RequestSent() => _requests.Inc();

    public void HealthcheckFailed()
    {
        _healthcheckFailures.Inc();
        _proxyHealthcheckFailures.Inc();
    }

    /// <summary>A reply arrived with <paramref name="rcode"/> after <paramref name="seconds"/>.</summary>
    public void ResponseReceived(ResponseCode rcode, double seconds)
    {
        int slot = (int)rcode < RcodeSlots ? (int)rcode : RcodeSlots - 1;
        (_responses[slot] ?? Create(slot).Response).Inc();
        _durations[slot]!.Observe(seconds);
        _proxyDurations[slot]!.Observe(seconds);
    }

    private (Counter.Child Response, int Slot) Create(int slot)
    {
        // First reply with this RCODE from this upstream: resolve its series once (WithLabels locks and allocates).
        string rcode = RecordTypeNames.ToText((ResponseCode)slot);
        var buckets = Histogram.ExponentialBuckets(0.00025, 2, 16);
        _durations[slot] = _registry.Histogram("coredns_forward_request_duration_seconds", "Histogram of the time each request took.", buckets, "to", "rcode").WithLabels(_to, rcode);
        _proxyDurations[slot] = _registry.Histogram("coredns_proxy_request_duration_seconds", "Histogram of the time each request took.", buckets, "proxy_name", "to", "rcode").WithLabels("forward", _to, rcode);
        var response = _registry.Counter("coredns_forward_responses_total", "Counter of responses received per upstream.", "to", "rcode").WithLabels(_to, rcode);
        _responses[slot] = response;
        return (response, slot);
    }
}
