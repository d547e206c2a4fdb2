namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary>
/// <c>loadbalance [round_robin | weighted WEIGHTFILE] { reload DURATION; prefer CIDR... }</c>, as CoreDNS 1.14.
/// </summary>
public sealed record LoadBalanceOptions
{
    /// <summary>CoreDNS's default interval for re-reading the weight file (declared first: RoundRobin's initializer reads it).</summary>
    public static readonly TimeSpan DefaultReload = TimeSpan.FromSeconds(30);

    public static LoadBalanceOptions RoundRobin { get; } = new();

    /// <summary>The weight file (resolved path); null for round robin.</summary>
    public string? WeightFile { get; init; }

    /// <summary>How often the weight file is re-read; zero never re-reads it.</summary>
    public TimeSpan Reload { get; init; } = DefaultReload;

    /// <summary>Subnets whose addresses go first, in this order (<c>prefer</c>).</summary>
    public IReadOnlyList<Subnet> Prefer { get; init; } = [];

    public bool IsWeighted => WeightFile is not null;
}
