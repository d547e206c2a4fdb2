using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Names;
using ClusterDns.Server.Plugins.Kubernetes.Services;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// The cluster zone as the <c>k8s_external</c> plugin reads it (<see cref="IK8sExternalSource"/>): Services by
/// their labels from the published index, exposure from the same entries the cluster names use.
/// </summary>
public sealed partial class KubernetesHandler : IK8sExternalSource
{
    private byte[]? _externalSvcSuffix;
    private byte[]? _nameServerKey;
    private IReadOnlyList<IPAddress>? _localAddresses;

    public K8sExternalSnapshot Snapshot() => new(this, _index());

    bool IK8sExternalSource.IsSynced(object state) => ((ClusterIndex)state).Synced;

    uint IK8sExternalSource.Serial(object state) => ((ClusterIndex)state).Serial;

    /// <summary>An exposed namespace has the entry <c>ns.svc.zone</c> (the first forward zone): the builder's verdict.</summary>
    bool IK8sExternalSource.IsNamespaceExposed(object state, ReadOnlySpan<byte> namespaceLabel)
    {
        var suffix = _externalSvcSuffix ??= SvcSuffix();
        if (suffix.Length == 0 || namespaceLabel.Length is 0 or > WireName.MaxLabelLength
            || 1 + namespaceLabel.Length + suffix.Length > WireName.MaxLength)
        {
            return false;
        }
        Span<byte> name = stackalloc byte[WireName.MaxLength];
        name[0] = (byte)namespaceLabel.Length;
        namespaceLabel.CopyTo(name[1..]);
        suffix.CopyTo(name[(1 + namespaceLabel.Length)..]);
        return !((ClusterIndex)state).Find(name[..(1 + namespaceLabel.Length + suffix.Length)]).IsNull;
    }

    bool IK8sExternalSource.TryFindService(object state, ReadOnlySpan<byte> nameLabel, ReadOnlySpan<byte> namespaceLabel, out K8sExternalService service)
    {
        service = default;
        if (nameLabel.Length is 0 or > WireName.MaxLabelLength || namespaceLabel.Length is 0 or > WireName.MaxLabelLength)
        {
            return false;
        }
        Span<byte> key = stackalloc byte[2 + nameLabel.Length + namespaceLabel.Length];
        key[0] = (byte)nameLabel.Length;
        nameLabel.CopyTo(key[1..]);
        key[1 + nameLabel.Length] = (byte)namespaceLabel.Length;
        namespaceLabel.CopyTo(key[(2 + nameLabel.Length)..]);
        return TryView(((ClusterIndex)state).FindService(key), requireExposed: true, out service);
    }

    bool IK8sExternalSource.TryFindNameServerService(object state, out K8sExternalService service)
    {
        var key = _nameServerKey ??= ClusterServiceCodec.KeyOf(_options.NameServerService) ?? [];
        service = default;
        // The name servers' own Service counts wherever it lives: namespace selectors are about what is served.
        return key.Length > 0 && TryView(((ClusterIndex)state).FindService(key), requireExposed: false, out service);
    }

    IReadOnlyList<IPAddress> IK8sExternalSource.LocalAddresses => _localAddresses ??= ClusterRecordGenerator.LocalAddresses();

    private static bool TryView(ClusterService record, bool requireExposed, out K8sExternalService service)
    {
        if (record.IsNull || (requireExposed && !record.IsExposed))
        {
            service = default;
            return false;
        }
        service = new K8sExternalService(record.IsHeadless, record.Externals, record.Ports, record.Endpoints);
        return true;
    }

    private byte[] SvcSuffix()
    {
        foreach (var zone in _options.Zones)
        {
            if (!ClusterNames.IsReverseZone(zone))
            {
                return ClusterNames.Build(zone.ToLower().Wire, "svc") ?? [];
            }
        }
        return [];
    }
}
