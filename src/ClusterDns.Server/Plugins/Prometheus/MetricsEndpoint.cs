using ClusterDns.Server.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Prometheus;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary>
/// GET <c>/metrics</c>: the registry in the text format 0.0.4, or in OpenMetrics 1.0.0 when the scraper's
/// <c>Accept</c> prefers <c>application/openmetrics-text</c> (Prometheus asks for it first; curl asks for nothing).
/// </summary>
internal sealed class MetricsEndpoint(MetricsRegistry registry)
{
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    public async Task ServeAsync(HttpContext context)
    {
        var format = Negotiate(context.Request.Headers.Accept);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = format == ExpositionFormat.OpenMetricsText ? OpenMetricsContentType : TextContentType;
        await registry.ExportAsync(context.Response.Body, format, context.RequestAborted);
    }

    /// <summary>OpenMetrics when the Accept header ranks it at least as high as the text format, else text.</summary>
    public static ExpositionFormat Negotiate(IList<string>? accept)
    {
        if (accept is null || !MediaTypeHeaderValue.TryParseList(accept, out var ranges))
        {
            return ExpositionFormat.PrometheusText;
        }
        double openMetrics = 0, text = 0;
        foreach (var range in ranges)
        {
            double quality = range.Quality ?? 1;
            if (range.MediaType.Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase))
            {
                // Only 1.0.0 is written; a range for another version (0.0.1) does not ask for it.
                var version = range.Parameters.FirstOrDefault(p => p.Name.Equals("version", StringComparison.OrdinalIgnoreCase))?.Value;
                if (!version.HasValue || version.Value == "1.0.0")
                {
                    openMetrics = Math.Max(openMetrics, quality);
                }
            }
            else if (range.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase) || range.MatchesAllTypes)
            {
                text = Math.Max(text, quality);
            }
        }
        return openMetrics > 0 && openMetrics >= text ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText;
    }
}
