using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>forward source_address and max_age (CoreDNS 1.14.2/1.14.3): parsing, the source the upstream sees, and connection lifetimes.</summary>
public sealed class ForwardSourceAndAgeTests
{
    [Theory]
    [InlineData("forward . 1.2.3.4 {\n source_address 127.0.0.2\n}", "127.0.0.2")]
    [InlineData("forward . ::1 {\n source_address ::1\n}", "::1")]
    [InlineData("forward . 2001:db8::1 {\n source_address 2001:db8::53\n}", "2001:db8::53")]
    [InlineData("forward . 1.2.3.4", null)]
    public void Source_address(string text, string? expected)
    {
        var options = ForwardSetup.Parse(TestDns.Directive(text), p => p);

        Assert.Equal(expected, options.SourceAddress?.ToString());
    }

    [Theory]
    [InlineData("forward . 1.2.3.4 {\n max_age 30s\n}", 30_000)]
    [InlineData("forward . 1.2.3.4 {\n max_age 1m30s\n}", 90_000)]
    [InlineData("forward . 1.2.3.4 {\n max_age 0s\n}", 0)]
    [InlineData("forward . 1.2.3.4", 0)]
    public void Max_age(string text, int milliseconds)
    {
        var options = ForwardSetup.Parse(TestDns.Directive(text), p => p);

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), options.MaxAge);
    }

    [Theory]
    [InlineData("forward . 1.2.3.4 {\n source_address\n}", "expects exactly 1 argument")]
    [InlineData("forward . 1.2.3.4 {\n source_address 127.0.0.1 127.0.0.2\n}", "expects exactly 1 argument")]
    [InlineData("forward . 1.2.3.4 {\n source_address eth0\n}", "is not an IP address")]
    [InlineData("forward . 1.2.3.4 {\n source_address 127.0.0.1:53\n}", "is not an IP address")]
    [InlineData("forward . 1.2.3.4 {\n source_address [::1]\n}", "is not an IP address")]
    [InlineData("forward . 1.2.3.4 {\n source_address 127.1\n}", "is not an IP address")]
    [InlineData("forward . 1.2.3.4 {\n source_address fe80::1%lo\n}", "is not an IP address")]
    [InlineData("forward . 1.2.3.4 {\n max_age\n}", "expects exactly 1 argument")]
    [InlineData("forward . 1.2.3.4 {\n max_age -5s\n}", ":3:")]
    [InlineData("forward . 1.2.3.4 {\n max_age soon\n}", ":3:")]
    public void Bad_values_are_errors_at_their_line(string text, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => ForwardSetup.Parse(TestDns.Directive(text), p => p));

        Assert.Contains(":3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    private static ForwardOptions Options(FakeUpstream upstream) => new()
    {
        From = [DnsName.Root],
        Upstreams = [new UpstreamAddress(upstream.EndPoint, false)],
        ReadTimeout = TimeSpan.FromSeconds(2),
        MaxFails = 0,
    };

    private static async Task<DnsMessage> QueryAsync(ForwardOptions options, TransportKind transport, int count = 1)
    {
        var handler = new ForwardHandler(options, NullLogger.Instance);
        try
        {
            DnsMessage reply = null!;
            for (int i = 0; i < count; i++)
            {
                reply = await TestDns.RunAsync(handler, TestDns.Query("www.example.org."), transport);
            }
            return reply;
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Theory]
    [InlineData(TransportKind.Udp)]
    [InlineData(TransportKind.Tcp)]
    public async Task The_upstream_sees_the_source_address(TransportKind transport)
    {
        await using var upstream = new FakeUpstream();

        var reply = await QueryAsync(Options(upstream) with { SourceAddress = IPAddress.Parse("127.0.0.2") }, transport);

        Assert.Equal(ResponseCode.NoError, reply.Rcode);
        Assert.Equal([IPAddress.Parse("127.0.0.2")], upstream.Sources);
        Assert.Equal(transport == TransportKind.Tcp ? 1 : 0, upstream.TcpQueries);
    }

    [Fact]
    public async Task Without_source_address_the_kernel_chooses()
    {
        await using var upstream = new FakeUpstream();

        await QueryAsync(Options(upstream), TransportKind.Udp);

        Assert.Equal([IPAddress.Loopback], upstream.Sources);
    }

    [Fact]
    public async Task A_source_address_this_host_does_not_have_fails_the_query_as_a_dial_error_does()
    {
        await using var upstream = new FakeUpstream();

        var reply = await QueryAsync(Options(upstream) with { SourceAddress = IPAddress.Parse("192.0.2.77"), Timeout = TimeSpan.FromSeconds(1) }, TransportKind.Udp);

        Assert.Equal(ResponseCode.ServFail, reply.Rcode);
        Assert.Equal(0, upstream.Queries);
    }

    [Fact]
    public async Task An_address_of_the_other_family_leaves_the_kernel_choice()
    {
        await using var upstream = new FakeUpstream();

        var reply = await QueryAsync(Options(upstream) with { SourceAddress = IPAddress.IPv6Loopback }, TransportKind.Udp);

        Assert.Equal(ResponseCode.NoError, reply.Rcode);
        Assert.Equal([IPAddress.Loopback], upstream.Sources);
    }

    [Fact]
    public async Task Without_max_age_a_kept_connection_serves_every_query()
    {
        await using var upstream = new FakeUpstream();

        await QueryAsync(Options(upstream) with { ForceTcp = true }, TransportKind.Udp, count: 3);

        Assert.Equal(3, upstream.TcpQueries);
        Assert.Equal(1, upstream.TcpConnections);
    }

    [Theory]
    [InlineData(200, 2)]
    [InlineData(60_000, 1)]
    public async Task A_connection_past_max_age_is_replaced_though_never_idle_for_expire(int maxAgeMs, int connections)
    {
        await using var upstream = new FakeUpstream();
        var options = Options(upstream) with { ForceTcp = true, Expire = TimeSpan.FromMinutes(1), MaxAge = TimeSpan.FromMilliseconds(maxAgeMs) };
        var handler = new ForwardHandler(options, NullLogger.Instance);
        try
        {
            await TestDns.RunAsync(handler, TestDns.Query("a.example.org."));
            // Not synchronisation: the connection's age is what is under test, so time has to pass.
            await Task.Delay(250);
            await TestDns.RunAsync(handler, TestDns.Query("b.example.org."));

            Assert.Equal(2, upstream.TcpQueries);
            Assert.Equal(connections, upstream.TcpConnections);
            Assert.Equal(connections == 2 ? 0 : 1, handler.Upstreams[0].ConnectionReuses);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }
}
