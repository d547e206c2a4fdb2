using System.Threading.Channels;
using ClusterDns.Corefile;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Telemetry;
using ClusterDns.Server.Plugins.Kubernetes;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>stale_after parsing, and the stale decision from each kind's watch health.</summary>
public sealed class SourceFreshnessTests
{
    [Theory]
    [InlineData("", 60)]
    [InlineData("stale_after 1s", 1)]
    [InlineData("stale_after 2m", 120)]
    [InlineData("stale_after 0", 0)]
    public void Stale_after_defaults_to_a_minute_and_zero_disables(string line, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Parse(line).StaleAfter);
    }

    [Theory]
    [InlineData("stale_after", "expects exactly 1 argument")]
    [InlineData("stale_after 1s 2s", "expects exactly 1 argument")]
    [InlineData("stale_after soon", "soon")]
    [InlineData("stale_after -5s", "-5s")]
    public void Bad_stale_after_lines_are_errors_at_their_line(string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse(line));
        Assert.StartsWith("Corefile:3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    public static TheoryData<int, bool, int, string?, string?> Cases => new()
    {
        // bound s, open, down s, last error, reason
        { 60, true, 0, null, null },
        { 60, false, 30, null, null },
        { 60, false, 61, null, "EndpointSlice watch down for 61s" },
        { 60, false, 90, "EndpointSlice: HTTP 503", "EndpointSlice watch down for 90s (EndpointSlice: HTTP 503)" },
        { 0, false, 3600, null, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_kind_is_stale_only_while_its_watch_is_down_longer_than_the_bound(int bound, bool open, int down, string? error, string? reason)
    {
        var source = new Source();
        source.Health[ResourceKind.EndpointSlice] = new WatchHealth(open, TimeSpan.FromSeconds(down), TimeSpan.FromSeconds(down), error);
        Assert.Equal(reason, new SourceFreshness(source, TimeSpan.FromSeconds(bound)).StaleReason());
    }

    [Fact]
    public void Gauges_are_per_watched_kind_and_absent_for_a_source_without_watches()
    {
        var registry = new MetricsRegistry();
        var source = new Source();
        source.Health[ResourceKind.Service] = new WatchHealth(true, TimeSpan.Zero, TimeSpan.FromSeconds(2.5), null);
        new SourceFreshness(source, TimeSpan.FromSeconds(60)).Register(registry);

        var text = registry.Scrape();
        Assert.Contains("""coredns_kubernetes_watch_last_event_age_seconds{kind="Service"} 2.5""", text);
        Assert.Contains("""coredns_kubernetes_watch_open{kind="Service"} 1""", text);
        Assert.DoesNotContain("EndpointSlice", text);
    }

    private static Server.Plugins.Kubernetes.Options.KubernetesOptions Parse(string line)
    {
        var block = CorefileParser.Parse($"cluster.local:53 {{\nkubernetes cluster.local {{\n{line}\n}}\n}}\n", "Corefile").ServerBlocks[0];
        var builder = new ServerBlockBuilder(block, [DnsName.Parse("cluster.local.")], 53, new ServerBuildContext("Corefile"));
        return KubernetesSetup.ParseOptions(block.Directives[0], builder);
    }

    private sealed class Source : IClusterSource
    {
        public Dictionary<ResourceKind, WatchHealth> Health { get; } = new();

        public IReadOnlyCollection<ResourceKind> Kinds => [ResourceKind.Service, ResourceKind.EndpointSlice];

        public WatchHealth? Watch(ResourceKind kind) => Health.TryGetValue(kind, out var health) ? health : null;

        public Task RunAsync(ChannelWriter<ClusterChange> changes, CancellationToken ct) => Task.CompletedTask;
    }
}
