using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Acl;

/// <summary>One acl directive: the zones it guards and its rules in order (first match wins, default allow).</summary>
internal sealed class AclOptions
{
    public required IReadOnlyList<DnsName> Zones { get; init; }

    public required AclRule[] Rules { get; init; }
}
