using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>forward max_idle_conns and max_connect_attempts (CoreDNS 1.14): parsing, and the tries a query makes.</summary>
public sealed class ForwardConnectionOptionsTests
{
    [Theory]
    [InlineData("forward . 1.2.3.4 {\n max_idle_conns 4\n}", 4, 0)]
    [InlineData("forward . 1.2.3.4 {\n max_idle_conns 0\n}", 0, 0)]
    [InlineData("forward . 1.2.3.4 {\n max_connect_attempts 1\n}", 16, 1)]
    [InlineData("forward . 1.2.3.4 {\n max_connect_attempts 0\n max_idle_conns 32\n}", 32, 0)]
    [InlineData("forward . 1.2.3.4", 16, 0)]
    public void Options(string text, int idle, int attempts)
    {
        var options = ForwardSetup.Parse(TestDns.Directive(text), p => p);

        Assert.Equal(idle, options.MaxIdleConnections);
        Assert.Equal(attempts, options.MaxConnectAttempts);
    }

    [Fact]
    public void Failover_rcodes_any_case()
    {
        var options = ForwardSetup.Parse(TestDns.Directive("forward . 1.2.3.4 {\n failover ServFail Refused\n}"), p => p);

        Assert.Equal([ResponseCode.ServFail, ResponseCode.Refused], options.FailoverRcodes);
    }

    [Theory]
    [InlineData("forward . 1.2.3.4 {\n next_on_nodata\n}", true)]
    [InlineData("forward . 1.2.3.4", false)]
    public void Next_on_nodata(string text, bool expected)
    {
        Assert.Equal(expected, ForwardSetup.Parse(TestDns.Directive(text), p => p).NextOnNoData);
    }

    [Theory]
    [InlineData("forward . 1.2.3.4 {\n next_on_nodata yes\n}", "expects no arguments")]
    [InlineData("forward . 1.2.3.4 {\n max_idle_conns -1\n}", "out of range")]
    [InlineData("forward . 1.2.3.4 {\n max_idle_conns many\n}", "not an integer")]
    [InlineData("forward . 1.2.3.4 {\n max_connect_attempts -2\n}", "out of range")]
    [InlineData("forward . 1.2.3.4 {\n max_connect_attempts\n}", "expects exactly 1 argument")]
    public void Bad_values_are_errors_at_their_line(string text, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => ForwardSetup.Parse(TestDns.Directive(text), p => p));

        Assert.Contains(":3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    public async Task Max_connect_attempts_bounds_the_upstreams_a_failing_query_tries(int attempts, int expected)
    {
        await using var a = new FakeUpstream { Silent = true };
        await using var b = new FakeUpstream { Silent = true };
        await using var c = new FakeUpstream { Silent = true };
        var options = new ForwardOptions
        {
            From = [DnsName.Root],
            Upstreams = [new UpstreamAddress(a.EndPoint, false), new UpstreamAddress(b.EndPoint, false), new UpstreamAddress(c.EndPoint, false)],
            ReadTimeout = TimeSpan.FromMilliseconds(200),
            Timeout = TimeSpan.FromSeconds(4),
            MaxFails = 0,
            MaxConnectAttempts = attempts,
        };
        var handler = new ForwardHandler(options, NullLogger.Instance);
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("gone.example.org."));

            Assert.Equal(ResponseCode.ServFail, reply.Rcode);
            Assert.Equal(expected, a.Queries + b.Queries + c.Queries);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }
}
