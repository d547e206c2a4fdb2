namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary><c>loadbalance [round_robin]</c>: the only policy is round robin (CoreDNS's default).</summary>
public sealed record LoadBalanceOptions
{
    public static LoadBalanceOptions RoundRobin { get; } = new();
}
