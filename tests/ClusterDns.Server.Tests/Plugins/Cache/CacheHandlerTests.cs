using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Cache;
using ClusterDns.Server.Tests.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Cache;

public sealed class CacheHandlerTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly ScriptedHandler _next = new();

    private CacheHandler Create(Func<CacheOptions, CacheOptions>? configure = null)
    {
        var options = new CacheOptions { Zones = [DnsName.Root] };
        var handler = new CacheHandler(configure?.Invoke(options) ?? options, _clock, NullLogger.Instance) { Next = _next };
        return handler;
    }

    private static uint AnswerTtl(DnsMessage reply) => Assert.Single(reply.Answers).Ttl;

    [Fact]
    public async Task Hit_is_answered_from_memory_under_the_new_clients_id()
    {
        var cache = Create();
        var first = await TestDns.RunAsync(cache, TestDns.Query("www.example.org.", id: 1));
        var second = await TestDns.RunAsync(cache, TestDns.Query("www.example.org.", id: 2));

        Assert.Equal(1, _next.Calls);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(1, cache.Misses);
        Assert.Equal(2, second.Header.Id);
        Assert.False(second.Header.AuthoritativeAnswer);
        Assert.True(first.Header.AuthoritativeAnswer);
        Assert.Equal(TestDns.Addresses(first), TestDns.Addresses(second));
    }

    [Fact]
    public async Task Lookup_ignores_case_and_echoes_the_clients_case()
    {
        var cache = Create();
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        var reply = await TestDns.RunAsync(cache, TestDns.Query("WWW.Example.ORG."));

        Assert.Equal(1, _next.Calls);
        Assert.Equal("WWW.Example.ORG.", reply.Questions[0].Name.ToString());
    }

    [Fact]
    public async Task Ttls_count_down_with_age_and_the_entry_expires()
    {
        var cache = Create();
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));

        _clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(200u, AnswerTtl(await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))));
        _clock.Advance(TimeSpan.FromSeconds(150));
        Assert.Equal(50u, AnswerTtl(await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))));
        Assert.Equal(1, _next.Calls);

        _clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(300u, AnswerTtl(await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))));
        Assert.Equal(2, _next.Calls);
    }

    [Theory]
    [InlineData(300u, 30, 30u)]   // cache 30: the maximum caps it
    [InlineData(2u, 3600, 5u)]    // below the 5 s minimum: raised
    [InlineData(120u, 3600, 120u)]
    public async Task Entry_ttl_is_the_record_ttl_clamped_to_min_and_max(uint recordTtl, int maxTtl, uint expected)
    {
        _next.Ttl = recordTtl;
        var cache = Create(o => o with { SuccessMaxTtl = TimeSpan.FromSeconds(maxTtl) });
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        Assert.Equal(expected, AnswerTtl(await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))));
    }

    [Fact]
    public async Task Keepttl_answers_with_the_stored_ttls()
    {
        var cache = Create(o => o with { KeepTtl = true });
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        _clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(300u, AnswerTtl(await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))));
    }

    [Fact]
    public async Task Answers_marked_do_not_cache_are_never_stored()
    {
        _next.DoNotCache = true;
        var cache = Create();
        await TestDns.RunAsync(cache, TestDns.Query("svc.cluster.local."));
        await TestDns.RunAsync(cache, TestDns.Query("svc.cluster.local."));
        Assert.Equal(2, _next.Calls);
        Assert.Equal(0, cache.Success.Count);
    }

    [Fact]
    public async Task Nxdomain_is_cached_for_the_soa_negative_ttl()
    {
        _next.Rcode = ResponseCode.NXDomain;
        _next.Soa = (3600, 60);
        var cache = Create();
        await TestDns.RunAsync(cache, TestDns.Query("missing.example.org."));
        var hit = await TestDns.RunAsync(cache, TestDns.Query("missing.example.org."));

        Assert.Equal(ResponseCode.NXDomain, hit.Rcode);
        Assert.Equal(60u, Assert.Single(hit.Authority).Ttl);
        Assert.Equal(1, cache.Denial.Count);
        _clock.Advance(TimeSpan.FromSeconds(60));
        await TestDns.RunAsync(cache, TestDns.Query("missing.example.org."));
        Assert.Equal(2, _next.Calls);
    }

    [Fact]
    public async Task Disabled_denial_zone_is_not_cached()
    {
        _next.Rcode = ResponseCode.NXDomain;
        _next.Soa = (30, 30);
        var cache = Create(o => o with { DisableDenial = [DnsName.Parse("cluster.local.")] });
        await TestDns.RunAsync(cache, TestDns.Query("new-svc.ns.svc.cluster.local."));
        await TestDns.RunAsync(cache, TestDns.Query("new-svc.ns.svc.cluster.local."));
        Assert.Equal(2, _next.Calls);
    }

    [Fact]
    public async Task Key_separates_type_and_dnssec_ok()
    {
        var cache = Create();
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org.", RecordType.A));
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org.", RecordType.TXT));
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org.", RecordType.A, dnssecOk: true));
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org.", RecordType.A, edns: true));
        Assert.Equal(3, _next.Calls);
    }

    [Fact]
    public async Task Edns_of_the_hit_follows_the_new_client()
    {
        var cache = Create();
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org.", edns: true));
        var plain = await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        var withEdns = await TestDns.RunAsync(cache, TestDns.Query("www.example.org.", edns: true));

        Assert.Null(plain.Edns);
        Assert.NotNull(withEdns.Edns);
        Assert.Equal(1, _next.Calls);
    }

    [Fact]
    public async Task Large_cached_answer_is_truncated_for_a_small_client()
    {
        _next.RecordCount = 60;
        var cache = Create();
        var full = await TestDns.RunAsync(cache, TestDns.Query("many.example.org."), TransportKind.Tcp);
        Assert.Equal(60, full.Answers.Count);

        var udp = await TestDns.RunAsync(cache, TestDns.Query("many.example.org."));
        Assert.True(udp.Header.Truncated);
        Assert.Empty(udp.Answers);
        var tcp = await TestDns.RunAsync(cache, TestDns.Query("many.example.org."), TransportKind.Tcp);
        Assert.Equal(60, tcp.Answers.Count);
        Assert.Equal(1, _next.Calls);
    }

    [Fact]
    public async Task Capacity_bounds_the_number_of_entries()
    {
        var cache = Create(o => o with { SuccessCapacity = 4 });
        for (int i = 0; i < 20; i++)
        {
            await TestDns.RunAsync(cache, TestDns.Query($"n{i}.example.org."));
        }
        Assert.InRange(cache.Success.Count, 1, 4);
        Assert.Equal(16, cache.Success.Evictions);
    }

    [Fact]
    public async Task Serve_stale_answers_an_expired_entry_with_ttl_30_when_the_source_fails()
    {
        var cache = Create(o => o with { ServeStale = TimeSpan.FromHours(1) });
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        _next.Fail = true;
        _clock.Advance(TimeSpan.FromSeconds(400));

        var refreshed = _next.NextCall;
        var stale = await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        Assert.Equal(ResponseCode.NoError, stale.Rcode);
        Assert.Equal(30u, AnswerTtl(stale));
        Assert.Equal(1, cache.StaleServed);
        // immediate mode refreshes behind the answer.
        await refreshed.WaitAsync(TimeSpan.FromSeconds(5));

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(ResponseCode.ServFail, (await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))).Rcode);
    }

    [Fact]
    public async Task Serve_stale_verify_asks_the_source_first()
    {
        var cache = Create(o => o with { ServeStale = TimeSpan.FromHours(1), ServeStaleVerify = true });
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org."));
        _clock.Advance(TimeSpan.FromSeconds(400));

        _next.Ttl = 100;
        Assert.Equal(100u, AnswerTtl(await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))));
        Assert.Equal(2, _next.Calls);

        _clock.Advance(TimeSpan.FromSeconds(200));
        _next.Fail = true;
        Assert.Equal(30u, AnswerTtl(await TestDns.RunAsync(cache, TestDns.Query("www.example.org."))));
        Assert.Equal(3, _next.Calls);
    }

    [Fact]
    public async Task Prefetch_refreshes_a_popular_entry_before_it_expires()
    {
        _next.Ttl = 100;
        var cache = Create(o => o with { PrefetchAmount = 2 });
        await TestDns.RunAsync(cache, TestDns.Query("hot.example.org."));
        // Two hits less than the 1 m window apart; the second when under 10% of the TTL is left.
        _clock.Advance(TimeSpan.FromSeconds(50));
        await TestDns.RunAsync(cache, TestDns.Query("hot.example.org."));
        Assert.Equal(0, cache.Prefetches);
        _clock.Advance(TimeSpan.FromSeconds(45));

        var prefetched = _next.NextCall;
        await TestDns.RunAsync(cache, TestDns.Query("hot.example.org."));
        await prefetched.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, cache.Prefetches);
        Assert.Equal(2, _next.Calls);

        // The refreshed answer replaced the entry: past the old one's expiry it is still a hit, with a fresh TTL.
        var key = Key("hot.example.org.");
        await WaitUntilAsync(() => cache.Success.TryGet(key, out var e) && _clock.GetElapsedTime(e.StoredAt).TotalSeconds < 1);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var response = await TestDns.RunAsync(cache, TestDns.Query("hot.example.org."));
        Assert.Equal(2, _next.Calls);
        Assert.Equal(90u, AnswerTtl(response));
    }

    [Fact]
    public async Task A_name_that_stopped_existing_is_answered_from_the_denial_cache_not_the_old_positive_entry()
    {
        _next.Ttl = 60;
        var cache = Create();
        await TestDns.RunAsync(cache, TestDns.Query("gone.example.org."));
        _clock.Advance(TimeSpan.FromSeconds(61));
        _next.Rcode = ResponseCode.NXDomain;
        _next.RecordCount = 0;
        _next.Soa = (300, 300);
        var first = await TestDns.RunAsync(cache, TestDns.Query("gone.example.org."));
        Assert.Equal(ResponseCode.NXDomain, first.Rcode);
        Assert.Equal(2, _next.Calls);

        var cached = await TestDns.RunAsync(cache, TestDns.Query("gone.example.org."));
        Assert.Equal(ResponseCode.NXDomain, cached.Rcode);
        Assert.Equal(2, _next.Calls);
        Assert.Equal(1, cache.DenialHits);
    }

    private static byte[] Key(string name)
    {
        var context = TestDns.Context(TestDns.Query(name));
        Span<byte> key = stackalloc byte[CacheHandler.MaxKeyLength];
        return key[..CacheHandler.BuildKey(context, key)].ToArray();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // The refresh stores from a background task; its completion has no event to await.
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }

    [Fact]
    public async Task Names_outside_the_cache_zones_pass_through()
    {
        var cache = Create(o => o with { Zones = [DnsName.Parse("example.org.")] });
        await TestDns.RunAsync(cache, TestDns.Query("www.example.com."));
        await TestDns.RunAsync(cache, TestDns.Query("www.example.com."));
        Assert.Equal(2, _next.Calls);
        Assert.Equal(0, cache.Misses);
    }

    [Fact]
    public async Task Hit_allocates_nothing()
    {
        var cache = Create();
        await TestDns.RunAsync(cache, TestDns.Query("www.example.org.", edns: true));
        var query = TestDns.Query("www.example.org.", edns: true);
        var context = TestDns.Context(query);
        // Warm up, then measure one hit on this thread (the answer overwrote the query: put it back).
        _ = cache.ServeAsync(context);
        query.CopyTo(context.Buffer, 0);
        context.Reset(query.Length, TransportKind.Udp);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = cache.ServeAsync(context);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(result.IsCompletedSuccessfully);
        Assert.True((await result).IsWritten);
        Assert.Equal(0, allocated);
    }
}
