using System.Net;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Secondary;

/// <summary>One <c>secondary</c> directive: its zones, the primaries to transfer them from, and fallthrough.</summary>
public sealed record SecondaryOptions(IReadOnlyList<DnsName> Zones, IReadOnlyList<IPEndPoint> Primaries)
{
    /// <summary>Zones whose NXDOMAIN goes to the next plugin; null: none, empty: every zone.</summary>
    public IReadOnlyList<DnsName>? Fallthrough { get; init; }
}
