using System.Net.Http.Headers;
using k8s.Authentication;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Kubernetes.Connection;

/// <summary>
/// A token provider that refreshes itself and keeps state across a 401 (the oidc refresh token it was given),
/// so <see cref="TokenRefreshHandler"/> tells it which token the server rejected instead of making a new one,
/// and hands it the connection's logger for its failures.
/// </summary>
internal interface IRefreshingTokenProvider : ITokenProvider
{
    Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(ILogger logger, string? rejected, CancellationToken ct);
}
