using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Cache;

/// <summary>
/// serve_stale (RFC 8767): an expired entry within the stale window is served with the stale TTL. <c>immediate</c>
/// answers at once and refreshes behind; <c>verify</c> asks the source first (at most TIMEOUT when one is set).
/// A refresh that fails (SERVFAIL, REFUSED, nothing written, an answer that is not cached) keeps the stale entry
/// and, with RECHECK, stops asking again for that long. prefer_positive keeps a stale positive entry over a new
/// negative answer.
/// </summary>
internal sealed partial class CacheHandler
{
    private ValueTask<HandlerResult> ServeStale(DnsQueryContext context, CacheEntry entry, bool denial, long now)
    {
        bool rechecking = now < Volatile.Read(ref entry.RetryAfter);
        if (_options.ServeStaleVerify && !rechecking)
        {
            return _options.VerifyTimeout > TimeSpan.Zero
                ? VerifyWithTimeoutAsync(context, entry, denial)
                : VerifyThenServeStaleAsync(context, entry, denial);
        }
        if (!_options.ServeStaleVerify && !rechecking)
        {
            Refresh(context, entry, stale: true, positive: !denial);
        }
        return new ValueTask<HandlerResult>(AnswerStale(context, entry));
    }

    private HandlerResult AnswerStale(DnsQueryContext context, CacheEntry entry)
    {
        Interlocked.Increment(ref _staleServed);
        Answer(context, entry, _options.StaleTtl);
        return HandlerResult.Written(entry.Rcode);
    }

    /// <summary>
    /// verify without a timeout: the source first, in the client's context; the stale entry only when that fails.
    /// Clients that come while a verify (or refresh) of the entry is in flight wait for it instead of asking again.
    /// </summary>
    private async ValueTask<HandlerResult> VerifyThenServeStaleAsync(DnsQueryContext context, CacheEntry stale, bool denial)
    {
        if (Interlocked.CompareExchange(ref stale.Refreshing, 1, 0) != 0)
        {
            if (Volatile.Read(ref stale.InFlight) is { } inFlight)
            {
                await inFlight.ConfigureAwait(false);
            }
            return AnswerFreshOrStale(context, stale);
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref stale.InFlight, done.Task);
        try
        {
            var result = await NextAsync(context).ConfigureAwait(false);
            if (!Failed(result) && Store(context, result, KeepPositive(denial)) != StoreOutcome.KeptPositive)
            {
                return result;
            }
            StartRecheck(stale);
            context.ClearResponse();
            return AnswerStale(context, stale);
        }
        finally
        {
            Volatile.Write(ref stale.Refreshing, 0);
            done.TrySetResult();
        }
    }

    /// <summary>
    /// verify TIMEOUT: the source is asked on a copy (one request in flight per entry, shared by every waiting
    /// client); a client waits at most TIMEOUT, then gets the stale entry while the refresh goes on.
    /// </summary>
    private async ValueTask<HandlerResult> VerifyWithTimeoutAsync(DnsQueryContext context, CacheEntry stale, bool denial)
    {
        Refresh(context, stale, stale: true, positive: !denial);
        if (Volatile.Read(ref stale.InFlight) is { } inFlight)
        {
            await Task.WhenAny(inFlight, Task.Delay(_options.VerifyTimeout, _time)).ConfigureAwait(false);
        }
        return AnswerFreshOrStale(context, stale);
    }

    /// <summary>After waiting on a verify in flight: the entry it stored when there is a fresh one, else the stale one.</summary>
    private HandlerResult AnswerFreshOrStale(DnsQueryContext context, CacheEntry stale)
    {
        Span<byte> key = stackalloc byte[MaxKeyLength];
        int keyLength = BuildKey(context, key);
        if (TryGet(key[..keyLength], out var fresh, out bool freshDenial) && fresh != stale)
        {
            long age = (long)_time.GetElapsedTime(fresh.StoredAt).TotalSeconds;
            if (age < fresh.Ttl)
            {
                Interlocked.Increment(ref freshDenial ? ref _denialHits : ref _successHits);
                Answer(context, fresh, _options.KeepTtl ? null : (uint)(fresh.Ttl - age));
                return HandlerResult.Written(fresh.Rcode);
            }
        }
        return AnswerStale(context, stale);
    }

    /// <summary>Asks the next handler again in the background (prefetch, stale refresh) and stores its answer.</summary>
    private void Refresh(DnsQueryContext context, CacheEntry entry, bool stale, bool positive)
    {
        if (Interlocked.CompareExchange(ref entry.Refreshing, 1, 0) != 0)
        {
            return;
        }
        var copy = new DnsQueryContext { MaxUdpSize = context.MaxUdpSize, LocalPort = context.LocalPort };
        context.Request.CopyTo(copy.Buffer);
        copy.Reset(context.RequestLength, context.Transport);
        copy.Block = context.Block;
        Volatile.Write(ref entry.InFlight, RefreshAsync(copy, entry, stale, positive));
    }

    private async Task RefreshAsync(DnsQueryContext copy, CacheEntry entry, bool stale, bool positive)
    {
        try
        {
            await Task.Yield();
            var result = await NextAsync(copy).ConfigureAwait(false);
            if (!stale)
            {
                Store(copy, result);
            }
            else if (Failed(result) || Store(copy, result, KeepPositive(!positive)) != StoreOutcome.Stored)
            {
                // The stale entry stays as it was (CoreDNS: a failed refresh never replaces stale state).
                StartRecheck(entry);
            }
        }
        catch (Exception exception)
        {
            LogRefreshFailed(_logger, exception);
            StartRecheck(entry);
        }
        finally
        {
            Volatile.Write(ref entry.Refreshing, 0);
        }
    }

    private bool KeepPositive(bool staleIsDenial) => _options.PreferPositive && !staleIsDenial;

    private static bool Failed(HandlerResult result) =>
        result.Rcode is ResponseCode.ServFail or ResponseCode.Refused || !result.IsWritten;

    private void StartRecheck(CacheEntry entry)
    {
        if (_options.StaleRecheck > TimeSpan.Zero)
        {
            long until = _time.GetTimestamp() + (long)(_options.StaleRecheck.TotalSeconds * _time.TimestampFrequency);
            Volatile.Write(ref entry.RetryAfter, until);
        }
    }
}
