using ClusterDns.Protocol;

// Not "...Plugins.File": that namespace would hide System.IO.File from every sibling plugin namespace.
namespace ClusterDns.Server.Plugins.FilePlugin;

/// <summary>The <c>file</c> directive: one master file served as one or more zones.</summary>
internal sealed record FileOptions(string Path, IReadOnlyList<DnsName> Zones, TimeSpan Reload)
{
    /// <summary>CoreDNS's default: look for changes every minute.</summary>
    public static readonly TimeSpan DefaultReload = TimeSpan.FromMinutes(1);
}
