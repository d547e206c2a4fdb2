namespace ClusterDns.Server.Plugins.Cache;

/// <summary>What <see cref="CacheHandler.Store"/> did with a response.</summary>
internal enum StoreOutcome
{
    NotStored,
    Stored,

    /// <summary>A negative answer was not stored because serve_stale_policy prefer_positive keeps the positive entry.</summary>
    KeptPositive,
}
