using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Cache;

/// <summary>
/// One cached response in wire form: the records after the question (no OPT), their counts, and where each
/// TTL sits in them, so a hit is a copy plus a loop over <see cref="TtlOffsets"/>. Immutable but for the
/// prefetch bookkeeping.
/// </summary>
internal sealed class CacheEntry
{
    public CacheEntry(byte[] body, int[] ttlOffsets, ushort answers, ushort authority, ushort additional,
        ResponseCode rcode, bool authenticData, uint ttl, long storedAt, bool recursionAvailable)
    {
        RecursionAvailable = recursionAvailable;
        Body = body;
        TtlOffsets = ttlOffsets;
        AnswerCount = answers;
        AuthorityCount = authority;
        AdditionalCount = additional;
        Rcode = rcode;
        AuthenticData = authenticData;
        Ttl = ttl;
        StoredAt = storedAt;
        LastHit = storedAt;
    }

    public byte[] Body { get; }

    /// <summary>Offsets of the TTL fields, relative to the start of <see cref="Body"/>.</summary>
    public int[] TtlOffsets { get; }

    public ushort AnswerCount { get; }

    public ushort AuthorityCount { get; }

    public ushort AdditionalCount { get; }

    public ResponseCode Rcode { get; }

    public bool AuthenticData { get; }

    /// <summary>RA as the answer had it: set on forwarded answers, clear on authoritative ones (as CoreDNS replays it).</summary>
    public bool RecursionAvailable { get; }

    /// <summary>Seconds the entry is fresh for, counted from <see cref="StoredAt"/>.</summary>
    public uint Ttl { get; }

    /// <summary>A <see cref="TimeProvider.GetTimestamp"/> value.</summary>
    public long StoredAt { get; }

    /// <summary>Hits in the current prefetch run (reset after a gap longer than the prefetch window).</summary>
    public int Hits;

    public long LastHit;

    /// <summary>1 while a prefetch or stale refresh of this entry runs.</summary>
    public int Refreshing;

    /// <summary>The refresh in flight (set with <see cref="Refreshing"/>), so <c>verify TIMEOUT</c> clients can wait on it together.</summary>
    public Task? InFlight;

    /// <summary>Timestamp before which a stale entry is served without asking the source again (failure recheck); 0 none.</summary>
    public long RetryAfter;
}
