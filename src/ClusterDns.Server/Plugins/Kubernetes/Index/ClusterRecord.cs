using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Index;

/// <summary>
/// One record an object contributes to the cluster zone, before encoding. <see cref="Type"/> 0 marks a name
/// that exists without records of its own (a namespace: <c>ns.svc.zone</c> is NODATA, not NXDOMAIN).
/// </summary>
public readonly record struct ClusterRecord(byte[] Name, RecordType Type, byte[] Rdata)
{
    public const RecordType ExistenceMarker = 0;

    public static ClusterRecord Marker(byte[] name) => new(name, ExistenceMarker, []);
}
