namespace ClusterDns.Kubernetes;

public enum ChangeType
{
    /// <summary>The object was added or changed; <see cref="ClusterChange.Object"/> holds it whole.</summary>
    Upsert,

    /// <summary>The object is gone; <see cref="ClusterChange.Object"/> is null.</summary>
    Delete,

    /// <summary>The kind finished its first complete list (Key and Object unused).</summary>
    Synced,
}
