using System.Net.Http;
using ClusterDns.Protocol;
using ClusterDns.Server.Telemetry;
using ClusterDns.Server.Tests.Http;
using ClusterDns.Server.Tests.Telemetry;

namespace ClusterDns.Server.Tests.Plugins.Prometheus;

/// <summary>The real server in-process, real UDP/TCP clients, a real scrape: counts must match the traffic exactly.</summary>
public sealed class PrometheusTrafficTests
{
    private const string Corefile = """
        example.org:0 {
            prometheus 127.0.0.1:0
            file example.org.zone
        }
        """;

    private const string Zone = "server=\"dns://:0\",zone=\"example.org.\",view=\"\"";

    [Fact]
    public async Task Scrape_after_known_traffic_counts_exactly_and_passes_promtool()
    {
        await using var harness = await OperabilityHarness.StartAsync(Corefile);
        var sent = new (string Name, RecordType Type, int Times)[]
        {
            ("www.example.org", RecordType.A, 5),
            ("www.example.org", RecordType.AAAA, 3),
            ("example.org", RecordType.MX, 2),
            ("example.org", RecordType.TXT, 1),
            ("www.example.org", RecordType.CAA, 1),
        };
        foreach (var (name, type, times) in sent)
        {
            for (int i = 0; i < times; i++)
            {
                var response = await harness.QueryAsync(name, type);
                Assert.Equal(ResponseCode.NoError, response.Rcode);
            }
        }
        Assert.Equal(ResponseCode.NXDomain, (await harness.QueryAsync("missing.example.org", RecordType.A)).Rcode);
        Assert.Equal(ResponseCode.NoError, (await harness.QueryAsync("www.example.org", RecordType.A, dnssecOk: true)).Rcode);
        Assert.Equal(ResponseCode.NoError, (await DnsTestClient.QueryTcpAsync(harness.DnsTcpEndPoint, "www.example.org", RecordType.A)).Rcode);
        // No block serves this name: REFUSED, counted in zone "dropped".
        Assert.Equal(ResponseCode.Refused, (await harness.QueryAsync("elsewhere.test", RecordType.A)).Rcode);

        using var http = new HttpClient();
        using var scrape = await http.GetAsync(harness.HttpUri("/metrics"));
        var text = await scrape.Content.ReadAsStringAsync();

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", scrape.Content.Headers.ContentType?.ToString());
        string[] expected =
        [
            $"coredns_dns_requests_total{{{Zone},proto=\"udp\",family=\"1\",type=\"A\"}} 7",
            $"coredns_dns_requests_total{{{Zone},proto=\"udp\",family=\"1\",type=\"AAAA\"}} 3",
            $"coredns_dns_requests_total{{{Zone},proto=\"udp\",family=\"1\",type=\"MX\"}} 2",
            $"coredns_dns_requests_total{{{Zone},proto=\"udp\",family=\"1\",type=\"TXT\"}} 1",
            $"coredns_dns_requests_total{{{Zone},proto=\"udp\",family=\"1\",type=\"other\"}} 1",
            $"coredns_dns_requests_total{{{Zone},proto=\"tcp\",family=\"1\",type=\"A\"}} 1",
            "coredns_dns_requests_total{server=\"dns://:0\",zone=\"dropped\",view=\"\",proto=\"udp\",family=\"1\",type=\"A\"} 1",
            $"coredns_dns_responses_total{{{Zone},rcode=\"NOERROR\",plugin=\"file\"}} 14",
            $"coredns_dns_responses_total{{{Zone},rcode=\"NXDOMAIN\",plugin=\"file\"}} 1",
            "coredns_dns_responses_total{server=\"dns://:0\",zone=\"dropped\",view=\"\",rcode=\"REFUSED\",plugin=\"\"} 1",
            $"coredns_dns_do_requests_total{{{Zone}}} 1",
            $"coredns_dns_request_duration_seconds_count{{{Zone}}} 15",
            $"coredns_dns_request_size_bytes_count{{{Zone},proto=\"udp\"}} 14",
            $"coredns_dns_request_size_bytes_count{{{Zone},proto=\"tcp\"}} 1",
            $"coredns_dns_response_size_bytes_count{{{Zone},proto=\"udp\"}} 14",
            $"coredns_plugin_enabled{{{Zone},name=\"prometheus\"}} 1",
            $"coredns_plugin_enabled{{{Zone},name=\"file\"}} 1",
            "coredns_panics_total 0",
            "coredns_reload_failed_total 0",
        ];
        var lines = text.Split('\n');
        foreach (var line in expected)
        {
            Assert.True(lines.Contains(line), $"missing line: {line}\n--- scrape ---\n{Relevant(text)}");
        }
        Assert.Contains("coredns_build_info{version=", text);
        // A 29-byte A query without EDNS lands in the le="100" bucket (and every one above it).
        Assert.Contains($"coredns_dns_request_size_bytes_bucket{{{Zone},proto=\"udp\",le=\"0\"}} 0", lines);

        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, "promtool check metrics failed:\n" + output);
    }

    [Fact]
    public async Task A_scraper_asking_for_openmetrics_gets_it_with_the_same_counts()
    {
        await using var harness = await OperabilityHarness.StartAsync(Corefile);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ResponseCode.NoError, (await harness.QueryAsync("www.example.org", RecordType.A)).Rcode);
        }

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, harness.HttpUri("/metrics"));
        // Prometheus's own scrape header.
        request.Headers.TryAddWithoutValidation("Accept",
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        using var scrape = await http.SendAsync(request);
        var text = await scrape.Content.ReadAsStringAsync();

        Assert.Equal("application/openmetrics-text; version=1.0.0; charset=utf-8", scrape.Content.Headers.ContentType?.ToString());
        Assert.EndsWith("# EOF\n", text);
        // OpenMetrics names the counter family without _total; the samples keep CoreDNS's names.
        Assert.Contains("# TYPE coredns_dns_requests counter\n", text);
        var line = text.Split('\n').Single(l => l.StartsWith($"coredns_dns_requests_total{{{Zone},proto=\"udp\",family=\"1\",type=\"A\"}} ", StringComparison.Ordinal));
        Assert.Equal(3, double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_block_without_prometheus_is_not_counted()
    {
        const string corefile = """
            example.org:0 {
                file example.org.zone
            }
            example.net:0 {
                prometheus 127.0.0.1:0
                file example.net.zone example.net
            }
            """;
        await using var harness = await OperabilityHarness.StartAsync(corefile);
        await harness.QueryAsync("www.example.org", RecordType.A);

        var text = harness.Services.Registry.Scrape();

        Assert.DoesNotContain("zone=\"example.org.\"", text);
        Assert.Contains("coredns_plugin_enabled{server=\"dns://:0\",zone=\"example.net.\",view=\"\",name=\"file\"} 1", text);
    }

    [Fact]
    public async Task Recording_a_query_allocates_nothing()
    {
        await using var harness = await OperabilityHarness.StartAsync(Corefile);
        var observer = harness.Services.Observer;
        var block = harness.Hosted.Server.Pipeline!.Blocks.Single();
        var context = new Pipeline.DnsQueryContext();
        var query = DnsTestClient.BuildQuery("www.example.org", RecordType.A);
        query.CopyTo(context.Buffer, 0);
        context.Reset(query.Length, Pipeline.TransportKind.Udp);
        context.Block = block;
        context.WrittenBy = "file";
        context.StartTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        observer.OnQueryCompleted(context, ResponseCode.NoError);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            observer.OnQueryCompleted(context, ResponseCode.NoError);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static string Relevant(string text) =>
        string.Join('\n', text.Split('\n').Where(l => l.StartsWith("coredns_dns_re", StringComparison.Ordinal) && !l.Contains("_bucket", StringComparison.Ordinal)));
}
