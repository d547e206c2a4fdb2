namespace ClusterDns.Kubernetes.Api;

/// <summary>
/// The metadata of one page of a list response. <paramref name="RemainingItemCount"/> is the server's estimate of the
/// items after this page (absent with selectors and from older servers).
/// </summary>
internal readonly record struct ListPage(string? ResourceVersion, string? Continue, long? RemainingItemCount = null);
