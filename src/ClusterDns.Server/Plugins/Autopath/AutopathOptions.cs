using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Autopath;

/// <summary><c>autopath [ZONE...] RESOLV-CONF|@PLUGIN</c> as read from the Corefile.</summary>
internal sealed record AutopathOptions
{
    /// <summary>The zones whose questions autopath looks at (the server block's when none are given).</summary>
    public required IReadOnlyList<DnsName> Zones { get; init; }

    /// <summary>The plugin that gives each client's search list (<c>@kubernetes</c>); null for a resolv.conf file.</summary>
    public string? Plugin { get; init; }

    /// <summary>
    /// The file's search list; with a plugin, the server's own search domains (its /etc/resolv.conf), which
    /// CoreDNS's kubernetes plugin appends to every pod's list.
    /// </summary>
    public IReadOnlyList<DnsName> Search { get; init; } = [];

    /// <summary>Where the directive is, for log lines ("Corefile:12").</summary>
    public string Origin { get; init; } = "";
}
