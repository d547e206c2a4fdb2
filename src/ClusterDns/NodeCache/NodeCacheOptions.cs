using System.Net;

namespace ClusterDns.NodeCache;

/// <summary>
/// node-cache's settings after its flags are parsed and checked (kubernetes/dns cmd/node-cache: the names and
/// defaults are its own; <see cref="NodeCacheFlags"/> lists them).
/// </summary>
internal sealed record NodeCacheOptions
{
    /// <summary>The addresses to answer on and put on the interface, one family, in flag order.</summary>
    public required IReadOnlyList<IPAddress> LocalIPs { get; init; }

    /// <summary>The addresses as written in the flag (they go into the Corefile and the iptables rules as text).</summary>
    public required IReadOnlyList<string> LocalIPTexts { get; init; }

    public int LocalPort { get; init; } = 53;

    public bool SetupInterface { get; init; } = true;

    public string InterfaceName { get; init; } = "nodelocaldns";

    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(60);

    public IPEndPoint MetricsListenAddress { get; init; } = new(IPAddress.Any, 9353);

    public bool SetupIptables { get; init; } = true;

    public string BaseCorefile { get; init; } = "/etc/coredns/Corefile.base";

    public string Corefile { get; init; } = "/etc/Corefile";

    /// <summary>The mounted kube-dns ConfigMap folder, or null when none is given and /etc/kube-dns does not exist.</summary>
    public string? KubeDnsConfigFolder { get; init; }

    public string UpstreamService { get; init; } = "kube-dns";

    public int HealthPort { get; init; } = 8080;

    public bool SkipTeardown { get; init; }

    public string? Pidfile { get; init; }

    /// <summary>What <c>__PILLAR__UPSTREAM__SERVERS__</c> becomes without upstreamNameservers (ClusterDns's <c>-resolvconf</c>).</summary>
    public string ResolvConf { get; init; } = "/etc/resolv.conf";

    /// <summary>IPv6 mode: node-cache requires every local address to be of one family.</summary>
    public bool IsIPv6 => LocalIPs[0].AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
}
