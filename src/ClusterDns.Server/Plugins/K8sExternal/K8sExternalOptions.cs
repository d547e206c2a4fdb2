using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.K8sExternal;

/// <summary>The typed options of one <c>k8s_external</c> directive.</summary>
public sealed record K8sExternalOptions
{
    /// <summary>The outside zones (lower-case, absolute), e.g. example.org.</summary>
    public required IReadOnlyList<DnsName> Zones { get; init; }

    /// <summary>The label under each zone that holds the name server's names (<c>ns1.dns.example.org</c>).</summary>
    public string Apex { get; init; } = "dns";

    /// <summary>TTL of every record, and the SOA's minimum (CoreDNS: 5, 0–3600).</summary>
    public uint Ttl { get; init; } = 5;

    /// <summary>Answer headless Services (without external addresses) with their ready endpoints.</summary>
    public bool Headless { get; init; }

    /// <summary>Zones whose NXDOMAIN goes to the next handler; null means none, empty means all zones.</summary>
    public IReadOnlyList<DnsName>? Fallthrough { get; init; }

    public bool FallsThrough(ReadOnlySpan<byte> lowerName)
    {
        if (Fallthrough is null)
        {
            return false;
        }
        if (Fallthrough.Count == 0)
        {
            return true;
        }
        foreach (var zone in Fallthrough)
        {
            if (WireName.IsSubdomainOf(lowerName, zone.Wire))
            {
                return true;
            }
        }
        return false;
    }
}
