using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// The per-client share of <c>max_concurrent</c>, at the handler seam with a black-hole upstream on loopback: the
/// forwards admitted stay in flight for the whole test, so every count below is exact.
/// </summary>
public sealed class ForwardClientShareTests
{
    private static readonly IPEndPoint ClientA = new(IPAddress.Parse("10.0.0.1"), 40001);
    private static readonly IPEndPoint ClientB = new(IPAddress.Parse("10.0.0.2"), 40002);

    private static ForwardOptions Options(BlackHole hole, int maxConcurrent, int perClient = ForwardOptions.FairShare) => new()
    {
        From = [DnsName.Root],
        Upstreams = [new UpstreamAddress(hole.EndPoint, Tls: false)],
        MaxConcurrent = maxConcurrent,
        MaxConcurrentPerClient = perClient,
        // Nothing ends by itself during a test: StopAsync ends the forwards in flight.
        ReadTimeout = TimeSpan.FromSeconds(60),
        Timeout = TimeSpan.FromSeconds(60),
        HealthCheckInterval = TimeSpan.Zero,
    };

    /// <summary>One query from <paramref name="client"/>: the refused ones complete at once, the forwarded ones hang.</summary>
    private sealed class Flight
    {
        private readonly List<(DnsQueryContext Context, Task<HandlerResult> Result)> _started = new();

        public List<Task<HandlerResult>> Pending { get; } = new();

        public int Refused { get; private set; }

        public void Ask(ForwardHandler handler, IPEndPoint client, int count)
        {
            for (int i = 0; i < count; i++)
            {
                var context = TestDns.Context(TestDns.Query($"q{_started.Count}.example.org."));
                context.RemoteAddress = client.Serialize();
                var result = handler.ServeAsync(context).AsTask();
                _started.Add((context, result));
                if (result.IsCompleted)
                {
                    Assert.Equal(ResponseCode.Refused, result.Result.Rcode);
                    Assert.False(result.Result.IsWritten);
                    Refused++;
                }
                else
                {
                    Pending.Add(result);
                }
            }
        }
    }

    private static async Task StopAsync(ForwardHandler handler, Flight flight)
    {
        await handler.StopAsync(default);
        foreach (var pending in flight.Pending)
        {
            Assert.Equal(ResponseCode.ServFail, (await pending.WaitAsync(TimeSpan.FromSeconds(10))).Rcode);
        }
    }

    [Fact]
    public async Task A_client_over_its_fair_share_is_refused_and_counted()
    {
        using var hole = new BlackHole();
        var handler = new ForwardHandler(Options(hole, maxConcurrent: 4), NullLogger.Instance);
        var flight = new Flight();
        try
        {
            // Alone, a client may hold max_concurrent / (1 + 1) = 2.
            flight.Ask(handler, ClientA, 3);
            Assert.Equal(2, flight.Pending.Count);
            Assert.Equal(1, flight.Refused);
            Assert.Equal(1, handler.ClientShareRejects);
            Assert.Equal(1, handler.MaxConcurrentRejects);

            // A second client still finds room; with two clients forwarding the share is 4 / 3 = 1.
            flight.Ask(handler, ClientB, 2);
            Assert.Equal(3, flight.Pending.Count);
            Assert.Equal(2, handler.ClientShareRejects);
            Assert.Equal(2, handler.ClientShare!.ActiveClients);

            // A is now over the smaller share: refused until its forwards drain.
            flight.Ask(handler, ClientA, 1);
            Assert.Equal(3, handler.ClientShareRejects);
            Assert.Equal(2, handler.ClientShare.InFlightOf(ClientA.Serialize()));
        }
        finally
        {
            await StopAsync(handler, flight);
        }
        // Every forward gave its slot back.
        Assert.Equal(0, handler.ClientShare.InFlightOf(ClientA.Serialize()));
        Assert.Equal(0, handler.ClientShare.InFlightOf(ClientB.Serialize()));
        Assert.Equal(0, handler.ClientShare.ActiveClients);
    }

    [Fact]
    public async Task A_flood_from_one_client_leaves_room_for_the_others()
    {
        using var hole = new BlackHole();
        var handler = new ForwardHandler(Options(hole, maxConcurrent: 100), NullLogger.Instance);
        var flight = new Flight();
        try
        {
            flight.Ask(handler, ClientA, 1000);
            Assert.Equal(50, flight.Pending.Count);
            Assert.Equal(950, handler.ClientShareRejects);

            // Another client, other port and all: 100 / 3 = 33 each, never the global bound.
            flight.Ask(handler, ClientB, 10);
            Assert.Equal(60, flight.Pending.Count);
            Assert.Equal(950, handler.MaxConcurrentRejects);
        }
        finally
        {
            await StopAsync(handler, flight);
        }
    }

    [Fact]
    public async Task A_fixed_per_client_cap_bounds_each_client()
    {
        using var hole = new BlackHole();
        var handler = new ForwardHandler(Options(hole, maxConcurrent: 100, perClient: 3), NullLogger.Instance);
        var flight = new Flight();
        try
        {
            flight.Ask(handler, ClientA, 5);
            flight.Ask(handler, new IPEndPoint(ClientA.Address, 50000), 1);
            flight.Ask(handler, ClientB, 5);
            Assert.Equal(6, flight.Pending.Count);
            Assert.Equal(5, handler.ClientShareRejects);
        }
        finally
        {
            await StopAsync(handler, flight);
        }
    }

    [Fact]
    public async Task Without_a_per_client_bound_only_max_concurrent_refuses()
    {
        using var hole = new BlackHole();
        var handler = new ForwardHandler(Options(hole, maxConcurrent: 3, perClient: 0), NullLogger.Instance);
        var flight = new Flight();
        try
        {
            flight.Ask(handler, ClientA, 4);
            Assert.Equal(3, flight.Pending.Count);
            Assert.Equal(1, handler.MaxConcurrentRejects);
            Assert.Equal(0, handler.ClientShareRejects);
            Assert.Null(handler.ClientShare);
        }
        finally
        {
            await StopAsync(handler, flight);
        }
    }

    [Fact]
    public async Task Names_the_forwarder_passes_on_never_count_against_the_share()
    {
        using var hole = new BlackHole();
        var options = Options(hole, maxConcurrent: 2) with { Except = [DnsName.Parse("cluster.local.")] };
        var handler = new ForwardHandler(options, NullLogger.Instance);
        var flight = new Flight();
        try
        {
            flight.Ask(handler, ClientA, 2);
            Assert.Equal(1, flight.Refused);
            var context = TestDns.Context(TestDns.Query("web.default.svc.cluster.local."));
            context.RemoteAddress = ClientA.Serialize();
            var passed = await handler.ServeAsync(context);
            // The next handler (none here) answers, not the share.
            Assert.Equal(ResponseCode.ServFail, passed.Rcode);
            Assert.Equal(1, handler.ClientShareRejects);
        }
        finally
        {
            await StopAsync(handler, flight);
        }
    }

    [Theory]
    [InlineData("192.0.2.7", 1, "192.0.2.7", 2)]
    [InlineData("192.0.2.7", 1, "::ffff:192.0.2.7", 2)]
    [InlineData("2001:db8::7", 1, "2001:db8::7", 53)]
    public void The_counter_is_the_clients_address_not_its_port(string first, int firstPort, string second, int secondPort)
    {
        int a = ClientShare.SlotOf(new IPEndPoint(IPAddress.Parse(first), firstPort).Serialize());
        int b = ClientShare.SlotOf(new IPEndPoint(IPAddress.Parse(second), secondPort).Serialize());
        Assert.Equal(a, b);
    }

    [Fact]
    public void Different_addresses_spread_over_the_table()
    {
        var slots = Enumerable.Range(1, 200).Select(i => ClientShare.SlotOf(new IPEndPoint(IPAddress.Parse($"10.1.{i}.9"), 53).Serialize()));
        // 200 addresses in 4096 counters: about 5 collide on average; 30 would take an astronomically bad seed.
        Assert.True(slots.Distinct().Count() > 170);
    }

    [Fact]
    public void The_fair_share_shrinks_with_the_clients_forwarding_and_never_reaches_zero()
    {
        var share = new ClientShare(maxConcurrent: 1000, perClientCap: 0);
        Assert.Equal(500, share.ShareFor(1));
        Assert.Equal(333, share.ShareFor(2));
        Assert.Equal(1, share.ShareFor(5000));
        Assert.Equal(7, new ClientShare(1000, 7).ShareFor(1));
    }
}
