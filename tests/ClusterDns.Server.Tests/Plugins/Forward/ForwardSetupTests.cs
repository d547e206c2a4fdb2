using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Forward;

namespace ClusterDns.Server.Tests.Plugins.Forward;

public sealed class ForwardSetupTests
{
    private static readonly string TestData = Path.Combine(AppContext.BaseDirectory, "testdata", "forward");

    private static ForwardOptions Parse(string text) => ForwardSetup.Parse(TestDns.Directive(text), p => Path.IsPathRooted(p) ? p : Path.Combine(TestData, p));

    [Theory]
    [InlineData("forward . 1.2.3.4", "1.2.3.4:53", false)]
    [InlineData("forward . 1.2.3.4:5353", "1.2.3.4:5353", false)]
    [InlineData("forward . dns://1.2.3.4", "1.2.3.4:53", false)]
    [InlineData("forward . [2001:db8::1]:5353", "[2001:db8::1]:5353", false)]
    [InlineData("forward . 2001:db8::1", "[2001:db8::1]:53", false)]
    [InlineData("forward . tls://9.9.9.9", "9.9.9.9:853", true)]
    [InlineData("forward . tls://[2001:db8::2]:8853", "[2001:db8::2]:8853", true)]
    public void Upstream_addresses(string text, string endPoint, bool tls)
    {
        var upstream = Assert.Single(Parse(text).Upstreams);
        Assert.Equal(IPEndPoint.Parse(endPoint), upstream.EndPoint);
        Assert.Equal(tls, upstream.Tls);
    }

    [Fact]
    public void Resolv_conf_gives_its_nameservers()
    {
        var options = Parse("forward . resolv.conf 8.8.8.8");
        Assert.Equal(["10.0.0.1:53", "[fd00::53]:53", "8.8.8.8:53"], options.Upstreams.Select(u => u.EndPoint.ToString()));
    }

    [Fact]
    public void Defaults_are_coredns_defaults()
    {
        var options = Parse("forward . 1.2.3.4");
        Assert.Equal(DnsName.Root, Assert.Single(options.From));
        Assert.Equal(ForwardPolicy.Random, options.Policy);
        Assert.Equal(2, options.MaxFails);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.HealthCheckInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Expire);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ReadTimeout);
        Assert.Equal(0, options.MaxConcurrent);
        Assert.False(options.ForceTcp);
        Assert.True(options.HealthCheckRecursionDesired);
    }

    [Fact]
    public void Every_option()
    {
        var options = Parse("""
            forward example.org 1.2.3.4 5.6.7.8 {
                except internal.example.org other.example.org
                force_tcp
                prefer_udp
                expire 20s
                max_fails 3
                health_check 1s no_rec domain probe.example.
                policy round_robin
                max_concurrent 1000
                next NXDOMAIN servfail
                failfast_all_unhealthy_upstreams
                tls_servername dns.example
            }
            """);
        Assert.Equal(DnsName.Parse("example.org."), Assert.Single(options.From));
        Assert.Equal(2, options.Upstreams.Count);
        Assert.Equal([DnsName.Parse("internal.example.org."), DnsName.Parse("other.example.org.")], options.Except);
        Assert.True(options.ForceTcp && options.PreferUdp && options.FailFastAllUnhealthy);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Expire);
        Assert.Equal(3, options.MaxFails);
        Assert.Equal(TimeSpan.FromSeconds(1), options.HealthCheckInterval);
        Assert.False(options.HealthCheckRecursionDesired);
        Assert.Equal(DnsName.Parse("probe.example."), options.HealthCheckDomain);
        Assert.Equal(ForwardPolicy.RoundRobin, options.Policy);
        Assert.Equal(1000, options.MaxConcurrent);
        Assert.Equal([ResponseCode.NXDomain, ResponseCode.ServFail], options.NextRcodes);
        Assert.Equal("dns.example", options.Tls.ServerName);
    }

    [Theory]
    [InlineData("forward .", "'forward' expects at least 2 arguments")]
    [InlineData("forward . dns.google:0", "is not an upstream address")]
    [InlineData("forward . 0.0.0.0", "is not an upstream address")]
    [InlineData("forward . 1.2.3.4:99999", "is not an upstream address")]
    [InlineData("forward . /nonexistent/resolv.conf", "cannot read resolv.conf")]
    [InlineData("forward . 1.2.3.4 {\n policy fastest\n}", "unknown policy 'fastest'")]
    [InlineData("forward . 1.2.3.4 {\n max_fails -1\n}", "out of range")]
    [InlineData("forward . 1.2.3.4 {\n next BOGUS\n}", "is not an RCODE name")]
    [InlineData("forward . 1.2.3.4 {\n health_check 1s sometimes\n}", "unknown health_check option")]
    [InlineData("forward . 1.2.3.4 {\n health_check 1s domain\n}", "'domain' needs a name")]
    [InlineData("forward . 1.2.3.4 {\n expire soon\n}", "is not a duration")]
    [InlineData("forward . 1.2.3.4 {\n tls /nonexistent/ca.pem\n}", "cannot load TLS files")]
    [InlineData("forward . 1.2.3.4 {\n force_tcp yes\n}", "'force_tcp' expects no arguments")]
    [InlineData("forward . 1.2.3.4 {\n failover\n}", "expects at least 1 argument")]
    [InlineData("forward . 1.2.3.4 {\n failover BOGUS\n}", "is not an RCODE name")]
    public void Bad_directives_are_clear_errors_with_the_line(string text, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse(text));
        Assert.Contains(reason, error.Message);
        Assert.StartsWith("Corefile:", error.Message);
    }

    [Fact]
    public void More_than_fifteen_upstreams_is_an_error()
    {
        var error = Assert.Throws<CorefileException>(() => Parse("forward . " + string.Join(' ', Enumerable.Range(1, 16).Select(i => $"10.0.0.{i}"))));
        Assert.Contains("at most 15 upstreams", error.Message);
    }
}

public sealed class ForwardMetricsTests
{
    [Fact]
    public async Task Setup_registers_coredns_forward_metrics_read_at_scrape()
    {
        await using var upstream = new FakeUpstream();
        var context = new ClusterDns.Server.Config.ServerBuildContext("Corefile");
        var block = new ClusterDns.Server.Config.ServerBlockBuilder(CorefileParser.Parse(". {\n}\n", "Corefile").ServerBlocks[0], [DnsName.Root], 53, context);
        new ForwardSetup().Setup(TestDns.Directive($"forward . {upstream.Address} {{\n force_tcp\n}}"), block);
        var forward = Assert.IsType<ForwardHandler>(Assert.Single(block.Handlers));
        try
        {
            await TestDns.RunAsync(forward, TestDns.Query("a.example.org."));
            await TestDns.RunAsync(forward, TestDns.Query("b.example.org."));

            string scrape = context.Metrics.Scrape();
            Assert.Contains($"coredns_proxy_conn_cache_misses_total{{proxy_name=\"forward\",to=\"{upstream.Address}\",proto=\"tcp\"}} 1", scrape);
            Assert.Contains($"coredns_proxy_conn_cache_hits_total{{proxy_name=\"forward\",to=\"{upstream.Address}\",proto=\"tcp\"}} 1", scrape);
            Assert.Contains("coredns_forward_max_concurrent_rejects_total 0", scrape);
            // Per-upstream request, response and duration series, by RCODE (the fake upstream answers NOERROR).
            Assert.Contains($"coredns_forward_requests_total{{to=\"{upstream.Address}\"}} 2", scrape);
            Assert.Contains($"coredns_forward_responses_total{{to=\"{upstream.Address}\",rcode=\"NOERROR\"}} 2", scrape);
            Assert.Contains($"coredns_forward_request_duration_seconds_count{{to=\"{upstream.Address}\",rcode=\"NOERROR\"}} 2", scrape);
            Assert.Contains($"coredns_proxy_request_duration_seconds_count{{proxy_name=\"forward\",to=\"{upstream.Address}\",rcode=\"NOERROR\"}} 2", scrape);
            Assert.Contains($"coredns_forward_healthcheck_failures_total{{to=\"{upstream.Address}\"}} 0", scrape);
            Assert.Contains(forward, context.Components);
        }
        finally
        {
            await forward.StopAsync(default);
        }
    }
}
