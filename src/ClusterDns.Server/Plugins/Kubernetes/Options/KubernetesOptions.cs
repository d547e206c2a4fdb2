using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Persistence;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Options;

/// <summary>The typed options of one <c>kubernetes</c> directive.</summary>
public sealed record KubernetesOptions
{
    /// <summary>Zones served (lower-case, absolute), e.g. cluster.local, in-addr.arpa, ip6.arpa.</summary>
    public required IReadOnlyList<DnsName> Zones { get; init; }

    public string? Endpoint { get; init; }

    /// <summary>Client certificate, key and CA for <see cref="Endpoint"/> (the <c>tls</c> option).</summary>
    public (string Cert, string Key, string Ca)? Tls { get; init; }

    public string? KubeConfigPath { get; init; }

    public string? KubeConfigContext { get; init; }

    /// <summary>Only these namespaces are exposed; empty means all.</summary>
    public IReadOnlySet<string> Namespaces { get; init; } = new HashSet<string>();

    public string? NamespaceLabels { get; init; }

    public string? Labels { get; init; }

    public PodsMode Pods { get; init; } = PodsMode.Disabled;

    public bool EndpointPodNames { get; init; }

    public uint Ttl { get; init; } = 5;

    public bool NoEndpoints { get; init; }

    /// <summary>Zones whose misses go to the next handler; null means no fallthrough, empty means all zones.</summary>
    public IReadOnlyList<DnsName>? Fallthrough { get; init; }

    public bool IgnoreEmptyService { get; init; }

    /// <summary>
    /// Zones (each one of <see cref="Zones"/>) whose Services are the clusterset's ServiceImports (KEP-1645,
    /// <c>multicluster ZONE...</c>); empty when the option is off.
    /// </summary>
    public IReadOnlyList<DnsName> Multicluster { get; init; } = [];

    public bool IsMulticlusterZone(DnsName zone) => Multicluster.Any(m => m.Equals(zone));

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Our extension: load objects from manifests in this folder instead of the API server.</summary>
    public string? ManifestsDirectory { get; init; }

    /// <summary>Our extension: keep the last synced objects in this file and answer from it at start (see <see cref="ClusterStateFile"/>).</summary>
    public string? SnapshotPath { get; init; }

    /// <summary>
    /// Our extension: unready once a kind's watch has been down (no stream open) this long; zero disables.
    /// 60 s rides out an API server restart or a relist, yet takes a cut-off replica out within a minute or two.
    /// </summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// "namespace/name" of the Service that fronts the cluster DNS replicas: the NS name <c>ns.dns.zone</c>
    /// answers its cluster IPs (this host's addresses while it is unknown). kubeadm and the CoreDNS chart name it
    /// kube-system/kube-dns.
    /// </summary>
    public string NameServerService { get; init; } = "kube-system/kube-dns";

    /// <summary>TTL of the dns-version TXT record (CoreDNS uses 28800).</summary>
    public const uint DnsVersionTtl = 28800;

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
