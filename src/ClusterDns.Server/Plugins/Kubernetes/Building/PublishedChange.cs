using ClusterDns.Server.Plugins.Kubernetes.Index;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// One publish of the cluster zone: the index before and after, the names whose entries the publish touched and the
/// keys of the Services it stored or removed. Every record that differs between the two indexes is owned by one of
/// them, so the difference is found by looking at these alone, never at the whole zone.
/// </summary>
public sealed record PublishedChange(ClusterIndex Before, ClusterIndex After, IReadOnlyCollection<byte[]> Names, IReadOnlyList<byte[]> ServiceKeys);
