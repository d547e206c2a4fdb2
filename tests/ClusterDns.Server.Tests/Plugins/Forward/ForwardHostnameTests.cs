using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Forward;
using ClusterDns.Server.Tests.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// forward with host name upstreams and `resolver` (CoreDNS 1.14.3): parsing, resolution before serving, and the
/// background re-resolution that swaps upstreams without a query waiting.
/// </summary>
public sealed class ForwardHostnameTests
{
    [Theory]
    [InlineData("forward . dns.example.local", "dns.example.local:53", false)]
    [InlineData("forward . dns://dns.example.local:5353", "dns.example.local:5353", false)]
    [InlineData("forward . tls://dns.example", "tls://dns.example:853", true)]
    [InlineData("forward . tls://dns.example:8853", "tls://dns.example:8853", true)]
    [InlineData("forward . coredns.kube-system.svc.cluster.local", "coredns.kube-system.svc.cluster.local:53", false)]
    public void Host_names_are_upstreams(string text, string expected, bool tls)
    {
        var options = ForwardSetup.Parse(TestDns.Directive(text), p => p);

        var host = Assert.Single(options.Hostnames);
        Assert.Equal(expected, host.ToString());
        Assert.Equal(tls, host.Tls);
        Assert.Empty(options.Upstreams);
        Assert.Empty(options.Resolvers);
    }

    [Fact]
    public void Addresses_and_host_names_mix_and_resolvers_take_ports()
    {
        var options = ForwardSetup.Parse(TestDns.Directive("forward . 1.2.3.4 dns.example.local {\n resolver 10.0.0.1 [fd00::1]:5353\n resolver 10.0.0.2:54\n}"), p => p);

        Assert.Equal("1.2.3.4:53", Assert.Single(options.Upstreams).ToString());
        Assert.Equal("dns.example.local:53", Assert.Single(options.Hostnames).ToString());
        Assert.Equal(["10.0.0.1:53", "[fd00::1]:5353", "10.0.0.2:54"], options.Resolvers.Select(r => r.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(30), options.ResolveInterval);
    }

    [Theory]
    [InlineData("forward . dns.example:0", ":2:", "is not an upstream address")]
    [InlineData("forward . dns.example:99999", ":2:", "is not an upstream address")]
    [InlineData("forward . dns.example:x", ":2:", "is not an upstream address")]
    [InlineData("forward . 1.2.3.4 {\n resolver\n}", ":3:", "expects at least 1 argument")]
    [InlineData("forward . 1.2.3.4 {\n resolver :53\n}", ":3:", "is not a resolver address")]
    [InlineData("forward . 1.2.3.4 {\n resolver dns.example\n}", ":3:", "")]
    public void Bad_values_are_errors_at_their_line(string text, string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => ForwardSetup.Parse(TestDns.Directive(text), p => p));

        Assert.Contains(line, error.Message);
        Assert.Contains(reason, error.Message);
    }

    /// <summary>A resolver that answers <paramref name="address"/> for A queries of dns.example.test, NXDOMAIN otherwise.</summary>
    private static FakeUpstream Resolver(Func<string?> address)
    {
        return new FakeUpstream
        {
            Respond = query =>
            {
                var current = address();
                if (query.Questions[0].Type == RecordType.A && query.Questions[0].Name.Equals(DnsName.Parse("dns.example.test.")) && current is not null)
                {
                    return TestDns.AnswerA(query, 30, current);
                }
                var empty = TestDns.AnswerA(query, 30);
                if (current is null)
                {
                    empty.Header.Rcode = (byte)ResponseCode.NXDomain;
                }
                return empty;
            },
        };
    }

    [Fact]
    public async Task A_host_name_upstream_is_resolved_with_the_resolver_before_serving()
    {
        await using var upstream = new FakeUpstream();
        await using var resolver = Resolver(() => "127.0.0.1");
        await using var harness = await OperabilityHarness.StartAsync($$"""
            example.org:0 {
                forward . dns.example.test:{{upstream.EndPoint.Port}} {
                    resolver {{resolver.EndPoint}}
                }
            }
            """);

        var reply = await harness.QueryAsync("www.example.org", RecordType.A);

        Assert.Equal("192.0.2.1", ((AData)Assert.Single(reply.Answers).Data).Address.ToString());
        Assert.Equal(1, upstream.CountFor("www.example.org."));
        Assert.Equal(2, resolver.CountFor("dns.example.test.")); // A and AAAA, as CoreDNS asks
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_stops_the_start_with_its_line()
    {
        await using var resolver = Resolver(() => null);

        var error = await Assert.ThrowsAsync<CorefileException>(() => OperabilityHarness.StartAsync($$"""
            example.org:0 {
                forward . dns.example.test {
                    resolver {{resolver.EndPoint}}
                }
            }
            """));

        Assert.Contains("Corefile:2:", error.Message);
        Assert.Contains("no addresses found for 'dns.example.test'", error.Message);
    }

    [Fact]
    public async Task Re_resolution_swaps_to_the_new_address_and_keeps_it_when_a_lookup_fails()
    {
        await using var first = new FakeUpstream();
        await using var second = new FakeUpstream(IPAddress.Parse("127.0.0.2"), first.EndPoint.Port);
        string? answer = "127.0.0.2";
        await using var resolver = Resolver(() => answer);
        var options = new ForwardOptions
        {
            From = [DnsName.Root],
            Upstreams = [new UpstreamAddress(first.EndPoint, false)],
            Hostnames = [new HostnameUpstream(DnsName.Parse("dns.example.test."), first.EndPoint.Port, false)],
            Resolvers = [resolver.EndPoint],
            MaxFails = 0,
        };
        var handler = new ForwardHandler(options, NullLogger.Instance);
        var refresher = new UpstreamNameRefresher(handler, [], NullLogger.Instance);
        try
        {
            await TestDns.RunAsync(handler, TestDns.Query("before.example.org."));

            Assert.True(await refresher.RefreshOnceAsync(CancellationToken.None));
            Assert.Equal(["127.0.0.2:" + first.EndPoint.Port], handler.Upstreams.Select(u => u.Address.ToString()));
            await TestDns.RunAsync(handler, TestDns.Query("after.example.org."));

            Assert.False(await refresher.RefreshOnceAsync(CancellationToken.None)); // unchanged
            answer = null;
            Assert.False(await refresher.RefreshOnceAsync(CancellationToken.None)); // NXDOMAIN: keep what works
            Assert.Equal(["127.0.0.2:" + first.EndPoint.Port], handler.Upstreams.Select(u => u.Address.ToString()));

            Assert.Equal(1, first.CountFor("before.example.org."));
            Assert.Equal(0, first.CountFor("after.example.org."));
            Assert.Equal(1, second.CountFor("after.example.org."));
        }
        finally
        {
            await refresher.StopAsync(default);
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Without_a_resolver_the_system_resolver_is_asked()
    {
        var addresses = await UpstreamNameResolver.ResolveAsync(DnsName.Parse("localhost."), [], CancellationToken.None);

        Assert.Contains(addresses, a => IPAddress.IsLoopback(a));
    }
}
