using System.Net;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>The typed form of one <c>forward</c> directive.</summary>
internal sealed record ForwardOptions
{
    public const int MaxUpstreams = 15;

    /// <summary>The zones this directive forwards (FROM), lower-case.</summary>
    public required IReadOnlyList<DnsName> From { get; init; }

    public required IReadOnlyList<UpstreamAddress> Upstreams { get; init; }

    /// <summary>Upstreams named by host name; their addresses join <see cref="Upstreams"/> at start-up.</summary>
    public IReadOnlyList<HostnameUpstream> Hostnames { get; init; } = [];

    /// <summary>Servers that resolve <see cref="Hostnames"/> (<c>resolver</c>); empty: the system resolver.</summary>
    public IReadOnlyList<IPEndPoint> Resolvers { get; init; } = [];

    /// <summary>How often <see cref="Hostnames"/> are resolved again (CoreDNS: 30 s).</summary>
    public TimeSpan ResolveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Names (and everything below them) passed to the next handler instead.</summary>
    public IReadOnlyList<DnsName> Except { get; init; } = [];

    public bool ForceTcp { get; init; }

    public bool PreferUdp { get; init; }

    /// <summary>Idle TCP/TLS connections older than this are closed instead of reused.</summary>
    public TimeSpan Expire { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Consecutive failures that mark an upstream down; 0 never marks it down.</summary>
    public int MaxFails { get; init; } = 2;

    /// <summary>How often a down upstream is probed; 0 turns health checking (and marking down) off.</summary>
    public TimeSpan HealthCheckInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public bool HealthCheckRecursionDesired { get; init; } = true;

    public DnsName HealthCheckDomain { get; init; } = DnsName.Root;

    public ForwardPolicy Policy { get; init; } = ForwardPolicy.Random;

    /// <summary>Forwards in flight beyond which queries are refused at once; 0 is unlimited.</summary>
    public int MaxConcurrent { get; init; }

    /// <summary>
    /// Forwards in flight one client address may hold (<c>max_concurrent_per_client</c>): -1 (default) its fair share
    /// of <see cref="MaxConcurrent"/>, 0 no per-client bound, N a fixed cap. Only with <see cref="MaxConcurrent"/> set.
    /// </summary>
    public int MaxConcurrentPerClient { get; init; } = FairShare;

    public const int FairShare = -1;

    /// <summary>Upstream RCODEs that make the query go to the next handler instead of the client.</summary>
    public IReadOnlyList<ResponseCode> NextRcodes { get; init; } = [];

    public bool FailFastAllUnhealthy { get; init; }

    /// <summary>Idle TCP/TLS connections kept per upstream (<c>max_idle_conns</c>); 0 keeps every one.</summary>
    public int MaxIdleConnections { get; init; } = 16;

    /// <summary>Upstream RCODEs after which the next upstream is tried (<c>failover</c>); the last try's reply stands.</summary>
    public IReadOnlyList<ResponseCode> FailoverRcodes { get; init; } = [];

    /// <summary>A NOERROR reply without answers goes to the next handler (<c>next_on_nodata</c>).</summary>
    public bool NextOnNoData { get; init; }

    /// <summary>Upstream tries per query (<c>max_connect_attempts</c>); 0: each upstream once, at least 2.</summary>
    public int MaxConnectAttempts { get; init; }

    public TlsClientOptions Tls { get; init; } = new();

    /// <summary>How queries go to <c>https://</c> upstreams (<c>doh_method</c>; CoreDNS: POST).</summary>
    public DohMethod DohMethod { get; init; } = DohMethod.Post;

    /// <summary>
    /// TCP/TLS connections older than this since they were opened are closed instead of reused (<c>max_age</c>),
    /// however busy they are; zero: no limit. <see cref="Expire"/> only ever closes idle ones.
    /// </summary>
    public TimeSpan MaxAge { get; init; }

    /// <summary>The local address upstream sockets are bound to (<c>source_address</c>); null: the kernel chooses.</summary>
    public IPAddress? SourceAddress { get; init; }

    /// <summary>How long one upstream try waits for its reply (<c>read_timeout</c>, CoreDNS 1.14.4; default 2 s).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one query may spend on all its tries before SERVFAIL (CoreDNS: 5 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
}
