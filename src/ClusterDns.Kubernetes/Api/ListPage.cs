namespace ClusterDns.Kubernetes.Api;

/// <summary>The metadata of one page of a list response.</summary>
internal readonly record struct ListPage(string? ResourceVersion, string? Continue);
