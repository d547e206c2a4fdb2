namespace ClusterDns.Kubernetes.Conversion;

/// <summary>A slim object with the identity the change stream uses.</summary>
internal readonly record struct ConvertedObject(ResourceKind Kind, string Key, string ResourceVersion, object Object);
