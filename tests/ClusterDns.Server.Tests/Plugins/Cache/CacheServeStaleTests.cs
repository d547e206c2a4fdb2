using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Cache;
using ClusterDns.Server.Tests.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Cache;

/// <summary>
/// serve_stale's TTL/RECHECK/verify TIMEOUT arguments and serve_stale_policy prefer_positive (CoreDNS 1.14's
/// serve_stale_recheck_test cases, restated), and coredns_cache_drops_total.
/// </summary>
public sealed class CacheServeStaleTests
{
    private static readonly byte[] WwwKey = [.. DnsName.Parse("www.example.org.").Wire, 0, 1, 0, 1, 0];

    private readonly ManualTimeProvider _clock = new();
    private readonly ScriptedHandler _next = new();

    private CacheHandler Create(string block, DnsHandler? next = null)
    {
        var options = CacheSetup.Parse(TestDns.Directive("cache {\n" + block + "\n}"), [DnsName.Root]);
        return new CacheHandler(options, _clock, NullLogger.Instance) { Next = next ?? _next };
    }

    public static TheoryData<string, bool, uint, int, int, bool> ServeStaleLines() => new()
    {
        { "serve_stale", false, 30, 0, 0, false },
        { "serve_stale 10m immediate", false, 30, 0, 0, false },
        { "serve_stale 10m IMMEDIATE 0s", false, 0, 0, 0, false },
        { "serve_stale 10m immediate 20s 45s", false, 20, 45, 0, false },
        { "serve_stale 10m verify", true, 30, 0, 0, false },
        { "serve_stale 10m verify 500ms", true, 30, 0, 500, false },
        { "serve_stale 10m verify 500ms 15s 1m", true, 15, 60, 500, false },
        { "serve_stale 10m verify\n serve_stale_policy prefer_positive", true, 30, 0, 0, true },
    };

    [Theory]
    [MemberData(nameof(ServeStaleLines))]
    public void Serve_stale_arguments(string lines, bool verify, uint ttl, int recheckSeconds, int timeoutMs, bool preferPositive)
    {
        var options = CacheSetup.Parse(TestDns.Directive("cache {\n " + lines + "\n}"), [DnsName.Root]);
        Assert.Equal(verify, options.ServeStaleVerify);
        Assert.Equal(ttl, options.StaleTtl);
        Assert.Equal(TimeSpan.FromSeconds(recheckSeconds), options.StaleRecheck);
        Assert.Equal(TimeSpan.FromMilliseconds(timeoutMs), options.VerifyTimeout);
        Assert.Equal(preferPositive, options.PreferPositive);
    }

    [Theory]
    [InlineData("serve_stale -1s", "Corefile:3: duration '-1s' must not be negative")]
    [InlineData("serve_stale 1h sometimes", "Corefile:3: unknown serve_stale refresh mode 'sometimes'")]
    [InlineData("serve_stale 1h immediate 10s 10s 10s", "Corefile:3: unexpected argument '10s' after serve_stale immediate")]
    [InlineData("serve_stale 1h verify 1s 10s 10s 10s", "Corefile:3: 'serve_stale' expects at most")]
    [InlineData("serve_stale 1h verify soon", "Corefile:3:")]
    [InlineData("serve_stale 1h\n serve_stale_policy prefer_negative", "Corefile:4: unknown serve_stale_policy 'prefer_negative'")]
    [InlineData("serve_stale_policy prefer_positive", "Corefile:3: serve_stale_policy needs serve_stale")]
    public void Bad_serve_stale_lines(string lines, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => CacheSetup.Parse(TestDns.Directive("cache {\n " + lines + "\n}"), [DnsName.Root]));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stale_ttl_argument_sets_the_ttl_of_stale_answers()
    {
        var cache = Create("serve_stale 1h immediate 0s");
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        _next.Fail = true;
        _clock.Advance(TimeSpan.FromSeconds(400));

        var stale = await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        Assert.Equal(0u, Assert.Single(stale.Answers).Ttl);
        await RefreshOf(cache);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_failed_refresh_is_not_retried_until_the_recheck_interval_passes_immediate(bool negative)
    {
        var cache = Create("serve_stale 1h immediate 30s 30s");
        if (negative)
        {
            _next.Rcode = ResponseCode.NXDomain;
            _next.Soa = (1, 1);
        }
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        var expected = negative ? ResponseCode.NXDomain : ResponseCode.NoError;
        _clock.Advance(TimeSpan.FromSeconds(400));
        _next.Fail = true;

        Assert.Equal(expected, (await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))).Rcode);
        await RefreshOf(cache, negative);
        Assert.Equal(2, _next.Calls);

        // Within the recheck interval: stale, and no new refresh.
        Assert.Equal(expected, (await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))).Rcode);
        Assert.Equal(2, _next.Calls);

        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(expected, (await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))).Rcode);
        await RefreshOf(cache, negative);
        Assert.Equal(3, _next.Calls);
    }

    [Fact]
    public async Task A_failed_verify_is_not_repeated_until_the_recheck_interval_passes()
    {
        var cache = Create("serve_stale 1h verify 0s 30s 30s");
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        _clock.Advance(TimeSpan.FromSeconds(400));
        _next.Fail = true;

        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        Assert.Equal(2, _next.Calls);

        _clock.Advance(TimeSpan.FromSeconds(33));
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        Assert.Equal(3, _next.Calls);
    }

    [Fact]
    public async Task Without_recheck_every_verify_asks_the_source()
    {
        var cache = Create("serve_stale 1h verify");
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        _clock.Advance(TimeSpan.FromSeconds(400));
        _next.Fail = true;

        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        Assert.Equal(3, _next.Calls);
    }

    [Fact]
    public async Task Verify_timeout_serves_stale_while_the_source_is_slow_then_the_refreshed_answer()
    {
        var gate = new GatedHandler(_next);
        var cache = Create("serve_stale 1h verify 50ms", gate);
        gate.Open();
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        _clock.Advance(TimeSpan.FromSeconds(400));
        gate.Close();
        _next.Ttl = 100;

        var stale = await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        Assert.Equal(30u, Assert.Single(stale.Answers).Ttl);
        // A second client shares the verify in flight.
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        Assert.Equal(1, gate.Waiting);

        gate.Open();
        await RefreshOf(cache);
        var fresh = await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        Assert.Equal(100u, Assert.Single(fresh.Answers).Ttl);
        Assert.Equal(2, _next.Calls);
    }

    [Fact]
    public async Task A_verify_in_flight_is_shared_by_the_clients_that_come_meanwhile()
    {
        var gate = new GatedHandler(_next);
        var cache = Create("serve_stale 1h verify", gate);
        gate.Open();
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        _clock.Advance(TimeSpan.FromSeconds(400));
        gate.Close();
        _next.Ttl = 100;

        var first = TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        var second = TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        Assert.False(second.IsCompleted, "the second client must wait for the verify in flight, not get the stale entry");

        gate.Open();
        Assert.Equal(100u, Assert.Single((await first).Answers).Ttl);
        Assert.Equal(100u, Assert.Single((await second).Answers).Ttl);
        Assert.Equal(2, _next.Calls);
        Assert.Equal(0, cache.StaleServed);
    }

    [Theory]
    [InlineData(true, 30u)]
    [InlineData(false, 0u)]
    public async Task Prefer_positive_keeps_the_stale_address_when_the_source_turns_negative(bool preferPositive, uint expectedTtl)
    {
        var cache = Create("serve_stale 1h verify" + (preferPositive ? "\n serve_stale_policy prefer_positive" : ""));
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        _clock.Advance(TimeSpan.FromSeconds(400));
        _next.Rcode = ResponseCode.NXDomain;
        _next.Soa = (60, 60);

        var reply = await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        if (preferPositive)
        {
            Assert.Equal(ResponseCode.NoError, reply.Rcode);
            Assert.Equal(expectedTtl, Assert.Single(reply.Answers).Ttl);
        }
        else
        {
            Assert.Equal(ResponseCode.NXDomain, reply.Rcode);
        }
    }

    [Fact]
    public async Task Prefer_positive_immediate_refresh_does_not_replace_the_positive_entry()
    {
        var cache = Create("serve_stale 1h\n serve_stale_policy prefer_positive");
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        _clock.Advance(TimeSpan.FromSeconds(400));
        _next.Rcode = ResponseCode.NXDomain;
        _next.Soa = (60, 60);

        Assert.Equal(ResponseCode.NoError, (await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))).Rcode);
        await RefreshOf(cache);
        Assert.Equal(ResponseCode.NoError, (await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))).Rcode);
        Assert.Equal(0, cache.Denial.Count);
    }

    [Fact]
    public async Task A_reply_for_another_question_is_dropped_and_counted()
    {
        var cache = Create("", new RenamingHandler(_next));

        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));

        Assert.Equal(2, _next.Calls);
        Assert.Equal(2, cache.Drops);
        Assert.Equal(0, cache.Success.Count);
    }

    private static async Task RefreshOf(CacheHandler cache, bool denial = false)
    {
        Assert.True((denial ? cache.Denial : cache.Success).TryGet(WwwKey, out var entry));
        await (Volatile.Read(ref entry.InFlight) ?? Task.CompletedTask).WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Holds every query until opened: a slow source.</summary>
    private sealed class GatedHandler(DnsHandler inner) : DnsHandler
    {
        private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;

        /// <summary>Completes when a query first waits at the closed gate.</summary>
        public Task Entered => _entered.Task;

        public override string Name => "gated";

        public int Waiting => Volatile.Read(ref _waiting);

        public void Open() => _gate.TrySetResult();

        public void Close() => _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            Interlocked.Increment(ref _waiting);
            var gate = _gate.Task;
            if (!gate.IsCompleted)
            {
                _entered.TrySetResult();
            }
            await gate;
            Interlocked.Decrement(ref _waiting);
            return await inner.ServeAsync(context);
        }
    }

    /// <summary>Answers, then changes the first letter of the question name: a reply for another question.</summary>
    private sealed class RenamingHandler(DnsHandler inner) : DnsHandler
    {
        public override string Name => "renaming";

        public override async ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            var result = await inner.ServeAsync(context);
            context.Buffer[13] = (byte)'x';
            return result;
        }
    }
}
