using ClusterDns.Protocol;

// Not "...Plugins.File": that namespace would hide System.IO.File from every sibling plugin namespace.
namespace ClusterDns.Server.Plugins.FilePlugin;

/// <summary>The <c>file</c> directive: one master file served as one or more zones.</summary>
internal sealed record FileOptions(string Path, IReadOnlyList<DnsName> Zones, TimeSpan Reload)
{
    /// <summary>Zones whose NXDOMAIN answers go to the next handler; null: none, empty: every zone of the file.</summary>
    public IReadOnlyList<DnsName>? Fallthrough { get; init; }

    /// <summary>Look at the file's modification time each interval, and read it only when that changed.</summary>
    public bool ReloadByMtime { get; init; }

    /// <summary>CoreDNS's default: look for changes every minute.</summary>
    public static readonly TimeSpan DefaultReload = TimeSpan.FromMinutes(1);
}
