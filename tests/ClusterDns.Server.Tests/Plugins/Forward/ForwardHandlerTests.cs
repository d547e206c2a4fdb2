using System.Diagnostics;
using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Forward;

public sealed class ForwardHandlerTests
{
    private static ForwardHandler Create(ForwardOptions options) => new(options, NullLogger.Instance);

    private static ForwardOptions Options(params FakeUpstream[] upstreams) => new()
    {
        From = [DnsName.Root],
        Upstreams = upstreams.Select(u => new UpstreamAddress(u.EndPoint, Tls: false)).ToArray(),
        // Generous: the suite runs in parallel on two cores; tests that need short timeouts set them.
        ReadTimeout = TimeSpan.FromSeconds(2),
        Timeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task Forwarded_name_is_answered_under_the_clients_id_and_question_case()
    {
        await using var upstream = new FakeUpstream();
        var handler = Create(Options(upstream));
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("WwW.ExAmPle.org.", id: 0x1234));

            Assert.Equal(0x1234, reply.Header.Id);
            Assert.True(reply.Header.IsResponse);
            Assert.Equal(ResponseCode.NoError, reply.Rcode);
            Assert.Equal("WwW.ExAmPle.org.", reply.Questions[0].Name.ToString());
            Assert.Equal(["192.0.2.1"], TestDns.Addresses(reply));
            Assert.Equal(1, upstream.UdpQueries);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Every_upstream_query_gets_a_fresh_random_id()
    {
        await using var upstream = new FakeUpstream();
        var handler = Create(Options(upstream));
        try
        {
            for (int i = 0; i < 8; i++)
            {
                await TestDns.RunAsync(handler, TestDns.Query($"n{i}.example.org.", id: 0x1111));
            }
            var ids = upstream.Ids.ToArray();
            Assert.Equal(8, ids.Length);
            // Eight random 16-bit IDs: all equal to the client's (or to each other) only with negligible chance.
            Assert.True(ids.Distinct().Count() >= 7);
            Assert.True(ids.Count(id => id == 0x1111) <= 1);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Truncated_udp_reply_is_retried_over_tcp()
    {
        await using var upstream = new FakeUpstream { TruncateUdp = true };
        var handler = Create(Options(upstream));
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("big.example.org.", edns: true));

            Assert.False(reply.Header.Truncated);
            Assert.Equal(["192.0.2.1"], TestDns.Addresses(reply));
            Assert.Equal(1, upstream.UdpQueries);
            Assert.Equal(1, upstream.TcpQueries);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Reply_larger_than_the_clients_limit_is_sent_truncated()
    {
        await using var upstream = new FakeUpstream();
        upstream.Respond = q => TestDns.AnswerA(q, 300, Enumerable.Range(1, 60).Select(i => $"192.0.2.{i}").ToArray());
        var handler = Create(Options(upstream));
        try
        {
            // No EDNS: 512 bytes at most; 60 A records do not fit.
            var reply = await TestDns.RunAsync(handler, TestDns.Query("many.example.org."));
            Assert.True(reply.Header.Truncated);
            Assert.Empty(reply.Answers);
            Assert.Equal("many.example.org.", reply.Questions[0].Name.ToString());

            var overTcp = await TestDns.RunAsync(handler, TestDns.Query("many.example.org."), TransportKind.Tcp);
            Assert.False(overTcp.Header.Truncated);
            Assert.Equal(60, overTcp.Answers.Count);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Spoofed_replies_with_wrong_id_or_question_are_ignored()
    {
        await using var upstream = new FakeUpstream { SpoofFirst = true };
        var handler = Create(Options(upstream));
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("target.example.org."));
            Assert.Equal(["192.0.2.1"], TestDns.Addresses(reply));
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Dead_upstream_gives_servfail_within_the_timeout()
    {
        await using var dead = new FakeUpstream { Silent = true };
        var handler = Create(Options(dead) with { ReadTimeout = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(1) });
        try
        {
            var clock = Stopwatch.StartNew();
            var reply = await TestDns.RunAsync(handler, TestDns.Query("gone.example.org."));
            clock.Stop();

            Assert.Equal(ResponseCode.ServFail, reply.Rcode);
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1.5));
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Dead_upstream_is_skipped_once_marked_down()
    {
        await using var dead = new FakeUpstream { Silent = true };
        await using var live = new FakeUpstream();
        var handler = Create(Options(dead, live) with
        {
            Policy = ForwardPolicy.Sequential,
            ReadTimeout = TimeSpan.FromSeconds(1),
            HealthCheckInterval = TimeSpan.FromSeconds(30),
        });
        try
        {
            // Two failures in a row (max_fails 2) mark it down; each of those queries still gets its answer from the live one.
            for (int i = 0; i < 2; i++)
            {
                var reply = await TestDns.RunAsync(handler, TestDns.Query($"q{i}.example.org."));
                Assert.Equal(["192.0.2.1"], TestDns.Addresses(reply));
            }
            Assert.True(handler.Upstreams[0].IsDown);

            var clock = Stopwatch.StartNew();
            var fast = await TestDns.RunAsync(handler, TestDns.Query("q2.example.org."));
            clock.Stop();
            Assert.Equal(["192.0.2.1"], TestDns.Addresses(fast));
            Assert.Equal(0, dead.CountFor("q2.example.org."));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Down_upstream_comes_back_after_a_health_probe_answers()
    {
        await using var flaky = new FakeUpstream { Silent = true };
        var handler = Create(Options(flaky) with { ReadTimeout = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(2), HealthCheckInterval = TimeSpan.FromMilliseconds(50) });
        try
        {
            await TestDns.RunAsync(handler, TestDns.Query("a.example.org."));
            Assert.True(handler.Upstreams[0].IsDown);

            flaky.Silent = false;
            var recovered = Stopwatch.StartNew();
            while (handler.Upstreams[0].IsDown && recovered.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20);
            }
            Assert.False(handler.Upstreams[0].IsDown);
            // The probe is ". IN NS".
            Assert.Contains(".", flaky.Names);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Round_robin_spreads_queries_evenly()
    {
        await using var a = new FakeUpstream();
        await using var b = new FakeUpstream();
        await using var c = new FakeUpstream();
        var handler = Create(Options(a, b, c) with { Policy = ForwardPolicy.RoundRobin });
        try
        {
            for (int i = 0; i < 30; i++)
            {
                await TestDns.RunAsync(handler, TestDns.Query($"rr{i}.example.org."));
            }
            Assert.Equal([10, 10, 10], new[] { a.Queries, b.Queries, c.Queries });
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Sequential_sends_everything_to_the_first_healthy_upstream()
    {
        await using var a = new FakeUpstream();
        await using var b = new FakeUpstream();
        var handler = Create(Options(a, b) with { Policy = ForwardPolicy.Sequential });
        try
        {
            for (int i = 0; i < 5; i++)
            {
                await TestDns.RunAsync(handler, TestDns.Query($"s{i}.example.org."));
            }
            Assert.Equal(5, a.Queries);
            Assert.Equal(0, b.Queries);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Beyond_max_concurrent_queries_are_refused_at_once()
    {
        await using var slow = new FakeUpstream { Delay = TimeSpan.FromMilliseconds(300) };
        var handler = Create(Options(slow) with { MaxConcurrent = 1 });
        try
        {
            var first = TestDns.RunAsync(handler, TestDns.Query("one.example.org."));
            var second = await TestDns.RunAsync(handler, TestDns.Query("two.example.org."));

            Assert.Equal(ResponseCode.Refused, second.Rcode);
            Assert.Equal(1, handler.MaxConcurrentRejects);
            Assert.Equal(ResponseCode.NoError, (await first).Rcode);
            // The slot is free again.
            Assert.Equal(ResponseCode.NoError, (await TestDns.RunAsync(handler, TestDns.Query("three.example.org."))).Rcode);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Except_names_and_names_outside_from_go_to_the_next_handler()
    {
        await using var upstream = new FakeUpstream();
        var handler = Create(Options(upstream) with { From = [DnsName.Parse("example.org.")], Except = [DnsName.Parse("internal.example.org.")] });
        try
        {
            Assert.Equal(ResponseCode.ServFail, (await TestDns.RunAsync(handler, TestDns.Query("a.internal.example.org."))).Rcode);
            Assert.Equal(ResponseCode.ServFail, (await TestDns.RunAsync(handler, TestDns.Query("example.com."))).Rcode);
            Assert.Equal(0, upstream.Queries);
            Assert.Equal(ResponseCode.NoError, (await TestDns.RunAsync(handler, TestDns.Query("www.example.org."))).Rcode);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Next_rcode_hands_the_query_to_the_next_handler()
    {
        await using var upstream = new FakeUpstream();
        upstream.Respond = q =>
        {
            var reply = TestDns.AnswerA(q, 300);
            reply.Header.Rcode = (byte)ResponseCode.NXDomain;
            return reply;
        };
        var handler = Create(Options(upstream) with { NextRcodes = [ResponseCode.NXDomain] });
        handler.Next = new FixedAnswerHandler();
        try
        {
            var reply = await TestDns.RunAsync(handler, TestDns.Query("missing.example.org."));
            Assert.Equal(ResponseCode.NoError, reply.Rcode);
            Assert.Equal(["198.51.100.7"], TestDns.Addresses(reply));
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    [Fact]
    public async Task Tcp_connections_are_reused()
    {
        await using var upstream = new FakeUpstream();
        var handler = Create(Options(upstream) with { ForceTcp = true });
        try
        {
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(["192.0.2.1"], TestDns.Addresses(await TestDns.RunAsync(handler, TestDns.Query($"t{i}.example.org."))));
            }
            Assert.Equal(5, upstream.TcpQueries);
            Assert.Equal(1, handler.Upstreams[0].ConnectionOpens);
            Assert.Equal(4, handler.Upstreams[0].ConnectionReuses);
        }
        finally
        {
            await handler.StopAsync(default);
        }
    }

    /// <summary>Answers every query with A 198.51.100.7 (stands for whatever follows forward in the chain).</summary>
    internal sealed class FixedAnswerHandler : DnsHandler
    {
        public override string Name => "fixed";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            var writer = context.BeginResponse();
            writer.TryWriteRecordAt(12, RecordType.A, (ushort)RecordClass.IN, 60, IPAddress.Parse("198.51.100.7").GetAddressBytes(), MessageSection.Answer);
            context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated: false);
            return new ValueTask<HandlerResult>(HandlerResult.Written(ResponseCode.NoError));
        }
    }
}
