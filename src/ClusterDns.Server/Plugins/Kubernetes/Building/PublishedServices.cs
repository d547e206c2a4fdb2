using System.Collections;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// The Services of one published index as objects, decoded one at a time while they are enumerated. The index is
/// immutable, so this is a stable copy without copying: the state file writes 100,000 Services without holding
/// 100,000 decoded objects at once (which, promoted to the old generation, stayed in the process's memory).
/// </summary>
internal sealed class PublishedServices(ClusterIndex index) : IReadOnlyCollection<ServiceObject>
{
    public int Count { get; } = index.ServiceCount;

    public IEnumerator<ServiceObject> GetEnumerator() => index.Services().Select(ClusterServiceCodec.Decode).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
