using System.Net;

namespace ClusterDns.Server.Zones;

/// <summary>
/// The seam through which the <c>k8s_external</c> plugin reads the cluster zone (CoreDNS's <c>Externaler</c>),
/// implemented by the <c>kubernetes</c> plugin so that neither plugin uses the other's folder. A query takes
/// one <see cref="Snapshot"/> and reads everything through it: one published index for the whole answer.
/// The <c>state</c> argument is the snapshot's own token, opaque to the caller (no allocation per query).
/// </summary>
public interface IK8sExternalSource
{
    /// <summary>The published zone at this moment.</summary>
    K8sExternalSnapshot Snapshot();

    /// <summary>Every kind has finished its first list: before that a miss is not known to be one.</summary>
    bool IsSynced(object state);

    /// <summary>The cluster zone's serial (CoreDNS's <c>ExternalSerial</c>: the same counter).</summary>
    uint Serial(object state);

    /// <summary>The cluster zone's one exposure verdict for a namespace (lower-case label, no length byte).</summary>
    bool IsNamespaceExposed(object state, ReadOnlySpan<byte> namespaceLabel);

    /// <summary>The exposed Service <c>name.namespace</c> (lower-case labels, no length bytes); false when unknown or hidden.</summary>
    bool TryFindService(object state, ReadOnlySpan<byte> nameLabel, ReadOnlySpan<byte> namespaceLabel, out K8sExternalService service);

    /// <summary>The Service that fronts the name servers (kube-system/kube-dns), when it is known.</summary>
    bool TryFindNameServerService(object state, out K8sExternalService service);

    /// <summary>This host's addresses: the name server's when its Service has no external address (as CoreDNS falls back).</summary>
    IReadOnlyList<IPAddress> LocalAddresses { get; }
}

/// <summary>One published cluster zone, read through its <see cref="IK8sExternalSource"/>.</summary>
public readonly struct K8sExternalSnapshot(IK8sExternalSource source, object state)
{
    public bool IsSynced => source.IsSynced(state);

    public uint Serial => source.Serial(state);

    public bool IsNamespaceExposed(ReadOnlySpan<byte> namespaceLabel) => source.IsNamespaceExposed(state, namespaceLabel);

    public bool TryFindService(ReadOnlySpan<byte> nameLabel, ReadOnlySpan<byte> namespaceLabel, out K8sExternalService service) =>
        source.TryFindService(state, nameLabel, namespaceLabel, out service);

    public bool TryFindNameServerService(out K8sExternalService service) => source.TryFindNameServerService(state, out service);

    public IReadOnlyList<IPAddress> LocalAddresses => source.LocalAddresses;
}

/// <summary>What k8s_external reads of one Service: its external entries, named ports and (headless) endpoints.</summary>
public readonly ref struct K8sExternalService(bool isHeadless, ServiceExternalList externals, ServicePortList ports, ServiceEndpointList endpoints)
{
    public bool IsHeadless { get; } = isHeadless;

    public ServiceExternalList Externals { get; } = externals;

    public ServicePortList Ports { get; } = ports;

    /// <summary>The ready endpoints of a headless Service (empty for any other).</summary>
    public ServiceEndpointList Endpoints { get; } = endpoints;
}
