namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary>CoreDNS's metric names and buckets, so its dashboards and alerts work unchanged.</summary>
internal static class DnsMetricNames
{
    public const string RequestsTotal = "coredns_dns_requests_total";
    public const string ResponsesTotal = "coredns_dns_responses_total";
    public const string RequestDuration = "coredns_dns_request_duration_seconds";
    public const string RequestSize = "coredns_dns_request_size_bytes";
    public const string ResponseSize = "coredns_dns_response_size_bytes";
    public const string DoRequestsTotal = "coredns_dns_do_requests_total";
    public const string PanicsTotal = "coredns_panics_total";
    public const string HttpsResponsesTotal = "coredns_dns_https_responses_total";

    /// <summary>Ours: CoreDNS counts no failed handshakes.</summary>
    public const string TlsHandshakeFailuresTotal = "coredns_dns_tls_handshake_failures_total";
    public const string PluginEnabled = "coredns_plugin_enabled";
    public const string BuildInfo = "coredns_build_info";
    public const string ReloadFailedTotal = "coredns_reload_failed_total";
    public const string ReloadVersionInfo = "coredns_reload_version_info";

    /// <summary>0.25 ms doubling 16 times (CoreDNS's plugin.TimeBuckets).</summary>
    public static readonly double[] DurationBuckets = global::Prometheus.Histogram.ExponentialBuckets(0.00025, 2, 16);

    /// <summary>CoreDNS's size buckets (bytes).</summary>
    public static readonly double[] SizeBuckets = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];
}
