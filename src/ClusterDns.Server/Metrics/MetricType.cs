namespace ClusterDns.Server.Metrics;

/// <summary>The Prometheus metric types this library exposes (the <c># TYPE</c> line).</summary>
public enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}
