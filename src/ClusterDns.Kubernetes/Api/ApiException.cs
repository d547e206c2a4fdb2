using System.Net;

namespace ClusterDns.Kubernetes.Api;

/// <summary>The API server answered with an error status (HTTP or a watch ERROR event).</summary>
internal sealed class ApiException(HttpStatusCode? status, string message) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;

    /// <summary>410 Gone: the resource version (or continue token) is too old; only a fresh list helps.</summary>
    public bool IsExpired => Status == HttpStatusCode.Gone;
}
