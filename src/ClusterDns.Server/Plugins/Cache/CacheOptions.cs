using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Cache;

/// <summary>The typed form of one <c>cache</c> directive (defaults as CoreDNS).</summary>
internal sealed record CacheOptions
{
    public const int DefaultCapacity = 9984;

    /// <summary>The zones whose answers are cached, lower-case.</summary>
    public required IReadOnlyList<DnsName> Zones { get; init; }

    public int SuccessCapacity { get; init; } = DefaultCapacity;

    public TimeSpan SuccessMaxTtl { get; init; } = TimeSpan.FromSeconds(3600);

    public TimeSpan SuccessMinTtl { get; init; } = TimeSpan.FromSeconds(5);

    public int DenialCapacity { get; init; } = DefaultCapacity;

    public TimeSpan DenialMaxTtl { get; init; } = TimeSpan.FromSeconds(1800);

    public TimeSpan DenialMinTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Hits (with no gap longer than <see cref="PrefetchWindow"/>) that make an entry worth refreshing early; 0 is off.</summary>
    public int PrefetchAmount { get; init; }

    public TimeSpan PrefetchWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Refresh when the remaining TTL drops below this share of the original.</summary>
    public int PrefetchPercentage { get; init; } = 10;

    /// <summary>How long past expiry an entry may still be served when fresh data cannot be had; 0 is off.</summary>
    public TimeSpan ServeStale { get; init; }

    /// <summary><c>verify</c>: ask upstream first, serve stale only if that fails. Otherwise serve stale at once and refresh behind.</summary>
    public bool ServeStaleVerify { get; init; }

    /// <summary>The TTL of an answer served stale (<c>serve_stale ... immediate TTL</c>); RFC 8767 §4 recommends 30 s.</summary>
    public uint StaleTtl { get; init; } = DefaultStaleTtl;

    /// <summary>After a failed refresh, serve stale without asking again for this long (RFC 8767's failure recheck timer); 0 is off.</summary>
    public TimeSpan StaleRecheck { get; init; }

    /// <summary><c>verify TIMEOUT</c>: how long a client waits for the source before it gets the stale entry; 0 waits for the source.</summary>
    public TimeSpan VerifyTimeout { get; init; }

    /// <summary><c>serve_stale_policy prefer_positive</c>: a refresh that finds a negative answer keeps serving the stale positive one.</summary>
    public bool PreferPositive { get; init; }

    /// <summary>How long SERVFAIL answers are cached; 0 does not cache them.</summary>
    public TimeSpan ServFailTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Zones whose positive answers are not cached.</summary>
    public IReadOnlyList<DnsName> DisableSuccess { get; init; } = [];

    /// <summary>Zones whose negative answers (NXDOMAIN, NODATA, SERVFAIL) are not cached.</summary>
    public IReadOnlyList<DnsName> DisableDenial { get; init; } = [];

    /// <summary>Answer with the TTLs as stored instead of counting them down.</summary>
    public bool KeepTtl { get; init; }

    /// <summary>The default TTL of an answer served stale (RFC 8767 §4 recommends 30 s; CoreDNS sends 0).</summary>
    public const uint DefaultStaleTtl = 30;
}
