namespace ClusterDns.Kubernetes.Manifests;

/// <summary>
/// One object loaded from a manifest. <see cref="Fingerprint"/> changes when the object's content does,
/// so a rescan emits an Upsert only for objects that really changed.
/// </summary>
internal readonly record struct ManifestEntry(ResourceKind Kind, string Key, string Fingerprint, object Object);
