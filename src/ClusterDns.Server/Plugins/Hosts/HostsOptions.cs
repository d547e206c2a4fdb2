using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Hosts;

/// <summary>The <c>hosts</c> directive, as CoreDNS's hosts plugin.</summary>
internal sealed record HostsOptions
{
    public const string DefaultPath = "/etc/hosts";
    public const uint DefaultTtl = 3600;
    public static readonly TimeSpan DefaultReload = TimeSpan.FromSeconds(5);

    /// <summary>The hosts file; CoreDNS reads /etc/hosts when none is named.</summary>
    public required string Path { get; init; }

    public required IReadOnlyList<DnsName> Zones { get; init; }

    /// <summary>Entries written in the Corefile block, one hosts-file line each.</summary>
    public IReadOnlyList<HostsEntry> Inline { get; init; } = [];

    public uint Ttl { get; init; } = DefaultTtl;

    public bool NoReverse { get; init; }

    public TimeSpan Reload { get; init; } = DefaultReload;

    /// <summary>Null: no fallthrough; empty: fall through for every name; else only for names in these zones.</summary>
    public IReadOnlyList<DnsName>? Fallthrough { get; init; }

    /// <summary>
    /// <c>fallthrough_unsupported</c>: a known name asked for a type hosts cannot answer (TXT, HTTPS, …) goes to the
    /// next handler too, within the <c>fallthrough</c> zones. Without <c>fallthrough</c> it changes nothing.
    /// </summary>
    public bool FallthroughUnsupported { get; init; }
}
