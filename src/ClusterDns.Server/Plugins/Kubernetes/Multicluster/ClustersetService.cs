namespace ClusterDns.Server.Plugins.Kubernetes.Multicluster;

/// <summary>One named port of a ServiceImport (ClusterSetIP) or of its slices (headless), lower-case ASCII.</summary>
internal readonly record struct ClustersetPort(byte[] Name, byte[] Protocol, ushort Number, bool RepeatsNumber);

/// <summary>
/// One ready endpoint of a headless import: its address and the wire labels <c>hostname.clusterid</c> it is
/// named by (empty when its slice has no usable cluster id: the address still answers at the Service name).
/// </summary>
internal readonly record struct ClustersetEndpoint(byte[] Address, byte[] NameWire, bool FirstOfAddress, bool FirstOfName);

/// <summary>
/// What the names of one ServiceImport answer in a multicluster zone (KEP-1645 §2.3–2.4): the clusterset IPs
/// and named ports of a ClusterSetIP import, or the ready endpoints of every cluster's slices and their named
/// ports for a headless one. Immutable once published; read in place by <see cref="ClustersetAnswers"/>.
/// ServiceImports are few (one per exported Service), so this is a handful of small arrays rather than the
/// cluster zone's single-blob <c>ClusterService</c>.
/// </summary>
internal sealed class ClustersetService
{
    public required bool IsHeadless { get; init; }

    /// <summary>The clusterset IPs (4 or 16 bytes each); empty for a headless import.</summary>
    public required byte[][] Ips { get; init; }

    public required ClustersetPort[] Ports { get; init; }

    public required ClustersetEndpoint[] Endpoints { get; init; }

    /// <summary>The name exists: a ClusterSetIP import with an IP, a headless one with a ready endpoint (§2.4.1: else NXDOMAIN).</summary>
    public bool Answers => IsHeadless ? Endpoints.Length > 0 : Ips.Length > 0;
}
