using ClusterDns.Server.Plugins.Prometheus;
using Prometheus;

namespace ClusterDns.Server.Tests.Telemetry;

/// <summary>Which exposition format <c>/metrics</c> answers with, by the scraper's Accept header.</summary>
public sealed class MetricsEndpointTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("*/*", false)]
    [InlineData("text/plain", false)]
    [InlineData("text/plain;version=0.0.4", false)]
    [InlineData("application/openmetrics-text", true)]
    [InlineData("Application/OpenMetrics-Text; version=1.0.0", true)]
    // Prometheus 2.x/3.x's scrape header.
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true)]
    [InlineData("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5", false)]
    [InlineData("application/openmetrics-text;version=0.0.1", false)]
    [InlineData("application/openmetrics-text;q=0", false)]
    [InlineData("not a media type;;;", false)]
    public void Openmetrics_is_served_when_the_scraper_prefers_it(string? accept, bool openMetrics)
    {
        var expected = openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText;

        Assert.Equal(expected, MetricsEndpoint.Negotiate(accept is null ? null : [accept]));
    }
}
