using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>forward read_timeout (CoreDNS 1.14.4): how long one upstream try waits; default 2 s, positive.</summary>
public sealed class ForwardReadTimeoutTests
{
    [Theory]
    [InlineData("forward . 1.2.3.4", 2000)]
    [InlineData("forward . 1.2.3.4 {\n read_timeout 5s\n}", 5000)]
    [InlineData("forward . 1.2.3.4 {\n read_timeout 500ms\n}", 500)]
    public void Read_timeout(string text, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ForwardSetup.Parse(TestDns.Directive(text), p => p).ReadTimeout);
    }

    [Theory]
    [InlineData("forward . 1.2.3.4 {\n read_timeout 0s\n}", "must be positive")]
    [InlineData("forward . 1.2.3.4 {\n read_timeout -1s\n}", ":3:")]
    [InlineData("forward . 1.2.3.4 {\n read_timeout\n}", "expects exactly 1 argument")]
    [InlineData("forward . 1.2.3.4 {\n read_timeout 1s 2s\n}", "expects exactly 1 argument")]
    public void Bad_values_are_errors_at_their_line(string text, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => ForwardSetup.Parse(TestDns.Directive(text), p => p));

        Assert.Contains(":3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("read_timeout 200ms", ResponseCode.ServFail)]
    [InlineData("read_timeout 2s", ResponseCode.NoError)]
    public async Task A_slow_upstream_answers_only_within_the_read_timeout(string line, ResponseCode expected)
    {
        await using var upstream = new FakeUpstream { Delay = TimeSpan.FromMilliseconds(700) };
        var options = ForwardSetup.Parse(TestDns.Directive($"forward . {upstream.Address} {{\n {line}\n max_fails 0\n}}"), p => p);
        var handler = new ForwardHandler(options, NullLogger.Instance);
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("slow.example.org."));

            Assert.Equal(expected, reply.Rcode);
            // Two tries (one upstream, at least 2) when each times out; one when the first is answered.
            Assert.Equal(expected == ResponseCode.ServFail ? 2 : 1, upstream.Queries);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }
}
