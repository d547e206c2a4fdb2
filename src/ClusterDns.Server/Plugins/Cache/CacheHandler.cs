using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Cache;

/// <summary>
/// The response cache: answers a hit from memory (synchronously, without allocating), otherwise asks the next
/// handler and keeps what it wrote — unless that handler set <see cref="DnsQueryContext.DoNotCache"/> (the
/// cluster zone: its answers are already in memory, and a cached NXDOMAIN would hide a Service just created).
/// Keyed by lower-case name, type, class and the DO and CD bits.
/// </summary>
internal sealed partial class CacheHandler : DnsHandler
{
    /// <summary>Name (≤ 255) + type + class + flags.</summary>
    internal const int MaxKeyLength = WireName.MaxLength + 5;
    private const byte DnssecOkFlag = 1, CheckingDisabledFlag = 2;
    private const byte TruncatedBit = 0x02;

    private readonly CacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly byte[][] _zones;
    private readonly byte[][] _disableSuccess;
    private readonly byte[][] _disableDenial;
    private long _successHits;
    private long _denialHits;
    private long _misses;
    private long _prefetches;
    private long _staleServed;
    private long _drops;

    public CacheHandler(CacheOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _zones = ToWire(options.Zones);
        _disableSuccess = ToWire(options.DisableSuccess);
        _disableDenial = ToWire(options.DisableDenial);
        Success = new CacheStore(options.SuccessCapacity);
        Denial = new CacheStore(options.DenialCapacity);
    }

    public override string Name => "cache";

    internal CacheOptions Options => _options;

    /// <summary>Positive answers.</summary>
    internal CacheStore Success { get; }

    /// <summary>NXDOMAIN, NODATA and SERVFAIL answers.</summary>
    internal CacheStore Denial { get; }

    public long Hits => SuccessHits + DenialHits;

    public long SuccessHits => Interlocked.Read(ref _successHits);

    public long DenialHits => Interlocked.Read(ref _denialHits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Prefetches => Interlocked.Read(ref _prefetches);

    public long StaleServed => Interlocked.Read(ref _staleServed);

    /// <summary>Responses not cached because they were malformed or answered another question (<c>coredns_cache_drops_total</c>).</summary>
    public long Drops => Interlocked.Read(ref _drops);

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        if (!IsBelowAny(context.LowerName, _zones))
        {
            return NextAsync(context);
        }
        Span<byte> key = stackalloc byte[MaxKeyLength];
        int keyLength = BuildKey(context, key);
        if (TryGet(key[..keyLength], out var entry, out bool denial))
        {
            long now = _time.GetTimestamp();
            long age = (long)_time.GetElapsedTime(entry.StoredAt, now).TotalSeconds;
            if (age < entry.Ttl)
            {
                uint remaining = (uint)(entry.Ttl - age);
                Interlocked.Increment(ref denial ? ref _denialHits : ref _successHits);
                if (_options.PrefetchAmount > 0)
                {
                    // Before Answer: a prefetch copies the request, which the answer is written over.
                    ConsiderPrefetch(context, entry, remaining, now);
                }
                Answer(context, entry, _options.KeepTtl ? null : remaining);
                return new ValueTask<HandlerResult>(HandlerResult.Written(entry.Rcode));
            }
            if (_options.ServeStale > TimeSpan.Zero && age - entry.Ttl < (long)_options.ServeStale.TotalSeconds)
            {
                return ServeStale(context, entry, denial, now);
            }
        }

        Interlocked.Increment(ref _misses);
        var pending = NextAsync(context);
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            Store(context, result);
            return new ValueTask<HandlerResult>(result);
        }
        return StoreWhenDoneAsync(pending, context);
    }

    private async ValueTask<HandlerResult> StoreWhenDoneAsync(ValueTask<HandlerResult> pending, DnsQueryContext context)
    {
        var result = await pending.ConfigureAwait(false);
        Store(context, result);
        return result;
    }

    private bool TryGet(ReadOnlySpan<byte> key, out CacheEntry entry, out bool denial)
    {
        denial = false;
        if (Success.TryGet(key, out entry))
        {
            return true;
        }
        denial = true;
        return Denial.TryGet(key, out entry);
    }

    /// <summary>Writes the entry after the client's question, TTLs set to <paramref name="ttl"/> (or as stored when null).</summary>
    private static void Answer(DnsQueryContext context, CacheEntry entry, uint? ttl)
    {
        bool whole = ResponseCopier.Write(context, entry.Body, entry.AnswerCount, entry.AuthorityCount, entry.AdditionalCount,
            entry.Rcode, authoritative: false, entry.AuthenticData, entry.RecursionAvailable);
        context.WrittenBy = "cache";
        if (!whole || ttl is not { } value)
        {
            return;
        }
        var body = context.Buffer.AsSpan(context.Query.QuestionEnd);
        foreach (int offset in entry.TtlOffsets)
        {
            BinaryPrimitives.WriteUInt32BigEndian(body[offset..], value);
        }
    }

    private void ConsiderPrefetch(DnsQueryContext context, CacheEntry entry, uint remaining, long now)
    {
        long last = Interlocked.Exchange(ref entry.LastHit, now);
        int hits = _time.GetElapsedTime(last, now) > _options.PrefetchWindow
            ? Interlocked.Exchange(ref entry.Hits, 1)
            : Interlocked.Increment(ref entry.Hits);
        bool nearExpiry = remaining <= 1 || remaining * 100UL <= (ulong)entry.Ttl * (ulong)_options.PrefetchPercentage;
        if (hits >= _options.PrefetchAmount && nearExpiry)
        {
            Interlocked.Increment(ref _prefetches);
            Refresh(context, entry, stale: false, positive: true);
        }
    }

    /// <summary>
    /// Keeps the response the next handler wrote, when it is cacheable (miss path: may allocate). With
    /// <paramref name="keepPositive"/> (serve_stale_policy prefer_positive) a negative answer is not stored and the
    /// positive entry stays.
    /// </summary>
    internal StoreOutcome Store(DnsQueryContext context, HandlerResult result, bool keepPositive = false)
    {
        if (!result.IsWritten || context.DoNotCache || context.ResponseLength == 0)
        {
            return StoreOutcome.NotStored;
        }
        var response = context.Response;
        if ((response[2] & TruncatedBit) != 0)
        {
            return StoreOutcome.NotStored;
        }
        var offsets = new List<int>();
        if (!QuestionMatches(context, response) || !ResponseLayout.TryRead(response, context.Query.QuestionEnd, out var layout, offsets))
        {
            // As CoreDNS's cacheDrops: a reply for another question, or one that does not parse, is never cached.
            Interlocked.Increment(ref _drops);
            return StoreOutcome.NotStored;
        }

        CacheStore store;
        uint ttl;
        bool hasSoa = layout.NegativeTtl != uint.MaxValue;
        bool success = layout.Rcode == ResponseCode.NoError && (layout.AnswerCount > 0 || (layout.AuthorityCount > 0 && !hasSoa));
        if (success)
        {
            if (IsBelowAny(context.LowerName, _disableSuccess))
            {
                return StoreOutcome.NotStored;
            }
            store = Success;
            ttl = Clamp(layout.MinTtl, _options.SuccessMinTtl, _options.SuccessMaxTtl);
        }
        else if (keepPositive)
        {
            return StoreOutcome.KeptPositive;
        }
        else if (layout.Rcode is ResponseCode.NXDomain or ResponseCode.NoError)
        {
            if (IsBelowAny(context.LowerName, _disableDenial))
            {
                return StoreOutcome.NotStored;
            }
            store = Denial;
            uint negative = hasSoa ? layout.NegativeTtl : layout.MinTtl;
            ttl = Clamp(negative, _options.DenialMinTtl, _options.DenialMaxTtl);
        }
        else if (layout.Rcode == ResponseCode.ServFail && _options.ServFailTtl > TimeSpan.Zero && !IsBelowAny(context.LowerName, _disableDenial))
        {
            store = Denial;
            ttl = (uint)_options.ServFailTtl.TotalSeconds;
        }
        else
        {
            return StoreOutcome.NotStored;
        }
        if (ttl == 0)
        {
            return StoreOutcome.NotStored;
        }

        int questionEnd = context.Query.QuestionEnd;
        var ttlOffsets = new int[offsets.Count];
        for (int i = 0; i < ttlOffsets.Length; i++)
        {
            ttlOffsets[i] = offsets[i] - questionEnd;
        }
        var entry = new CacheEntry(layout.Body(response).ToArray(), ttlOffsets, layout.AnswerCount, layout.AuthorityCount,
            layout.AdditionalCount, layout.Rcode, layout.Header.AuthenticData, ttl, _time.GetTimestamp(), layout.Header.RecursionAvailable);
        Span<byte> key = stackalloc byte[MaxKeyLength];
        int keyLength = BuildKey(context, key);
        store.Set(key[..keyLength], entry);
        // The name changed sides (it exists now, or no longer): an old entry in the other store must not shadow this one.
        (store == Success ? Denial : Success).Remove(key[..keyLength]);
        return StoreOutcome.Stored;
    }

    /// <summary>One question, the one the client asked (name case-insensitively, type, class).</summary>
    private static bool QuestionMatches(DnsQueryContext context, ReadOnlySpan<byte> response)
    {
        var name = context.LowerName;
        int end = 12 + name.Length;
        return response.Length >= end + 4
            && BinaryPrimitives.ReadUInt16BigEndian(response[4..]) == 1
            && WireName.EqualsIgnoreCase(response[12..end], name)
            && BinaryPrimitives.ReadUInt16BigEndian(response[end..]) == (ushort)context.Query.Type
            && BinaryPrimitives.ReadUInt16BigEndian(response[(end + 2)..]) == (ushort)context.Query.Class;
    }

    /// <summary>A record TTL (uint.MaxValue when there were no records) bounded by the configured minimum and maximum.</summary>
    private static uint Clamp(uint ttl, TimeSpan min, TimeSpan max)
    {
        uint low = (uint)Math.Min(min.TotalSeconds, uint.MaxValue);
        uint high = (uint)Math.Min(max.TotalSeconds, uint.MaxValue);
        if (ttl == uint.MaxValue)
        {
            ttl = low;
        }
        return Math.Min(Math.Max(ttl, low), high);
    }

    internal static int BuildKey(DnsQueryContext context, Span<byte> key)
    {
        var name = context.LowerName;
        name.CopyTo(key);
        int length = name.Length;
        BinaryPrimitives.WriteUInt16BigEndian(key[length..], (ushort)context.Query.Type);
        BinaryPrimitives.WriteUInt16BigEndian(key[(length + 2)..], (ushort)context.Query.Class);
        key[length + 4] = (byte)((context.Query.Edns.DnssecOk ? DnssecOkFlag : 0) | (context.Query.Header.CheckingDisabled ? CheckingDisabledFlag : 0));
        return length + 5;
    }

    private static bool IsBelowAny(ReadOnlySpan<byte> name, byte[][] zones) => WireName.IsInAnyZone(name, zones);

    private static byte[][] ToWire(IReadOnlyList<DnsName> names) => names.Select(n => n.ToLower().Wire.ToArray()).ToArray();

    [LoggerMessage(EventId = 520, Level = LogLevel.Debug, Message = "Cache refresh (prefetch or serve_stale) failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
