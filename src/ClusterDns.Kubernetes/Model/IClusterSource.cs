using System.Threading.Channels;

namespace ClusterDns.Kubernetes;

/// <summary>A producer of cluster changes: the API server or a directory of manifests.</summary>
public interface IClusterSource
{
    /// <summary>The kinds this source emits changes (and one Synced) for.</summary>
    IReadOnlyCollection<ResourceKind> Kinds { get; }

    /// <summary>The freshness of <paramref name="kind"/>'s watch; null for a source without watches (manifests).</summary>
    WatchHealth? Watch(ResourceKind kind) => null;

    /// <summary>
    /// The resourceVersion and arrival time of an object this source passed on (<c>clusterdns explain</c>);
    /// false when it has not passed it on or does not remember.
    /// </summary>
    bool TryGetKnown(ResourceKind kind, string key, out KnownObject known)
    {
        known = default;
        return false;
    }

    /// <summary>
    /// Writes changes until <paramref name="ct"/> is cancelled. Bad input is logged and skipped, never thrown;
    /// the only exception is <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    Task RunAsync(ChannelWriter<ClusterChange> changes, CancellationToken ct);
}
