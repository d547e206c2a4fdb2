using ClusterDns.Server.Telemetry;
using Prometheus;

namespace ClusterDns.Server.Plugins.Template;

/// <summary>CoreDNS's template metrics; series are created on first use (a match is the slow path already).</summary>
internal sealed class TemplateMetrics
{
    private readonly Counter _matches;
    private readonly Counter _templateFailures;
    private readonly Counter _rrFailures;
    private readonly string _server;

    public TemplateMetrics(MetricsRegistry registry, string server)
    {
        _server = server;
        _matches = registry.Counter("coredns_template_matches_total",
            "Counter of template regex matches.", "server", "zone", "view", "class", "type");
        _templateFailures = registry.Counter("coredns_template_template_failures_total",
            "Counter of go template failures.", "server", "zone", "view", "class", "type", "section", "template");
        _rrFailures = registry.Counter("coredns_template_rr_failures_total",
            "Counter of mis-templated RRs.", "server", "zone", "view", "class", "type", "section", "template");
    }

    public void Matched(TemplateData data) =>
        _matches.WithLabels(_server, data.Zone, "", data.Class, data.Type).Inc();

    public void TemplateFailed(TemplateData data, string section, TemplateText template) =>
        _templateFailures.WithLabels(_server, data.Zone, "", data.Class, data.Type, section, template.Source).Inc();

    public void RecordFailed(TemplateData data, string section, TemplateText template) =>
        _rrFailures.WithLabels(_server, data.Zone, "", data.Class, data.Type, section, template.Source).Inc();
}
