using System.Net;
using System.Net.Http.Headers;
using k8s.Authentication;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Kubernetes.Connection;

/// <summary>
/// Puts the library's bearer token on each request. On a 401 the token was rotated, revoked or expired
/// early: a fresh provider fetches it again (exec plugin, token file), or an <see cref="IRefreshingTokenProvider"/>
/// (oidc) is told which token was rejected, and a body-less request is retried once.
/// </summary>
internal sealed class TokenRefreshHandler(Func<ITokenProvider> providers, ILogger logger) : DelegatingHandler
{
    private ITokenProvider _provider = providers();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var provider = Volatile.Read(ref _provider);
        var sent = await HeaderAsync(provider, null, ct).ConfigureAwait(false);
        request.Headers.Authorization = sent;
        var response = await base.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Content is not null)
        {
            return response;
        }

        // Concurrent 401s (one per informer) replace the provider once, not once each.
        Interlocked.CompareExchange(ref _provider, providers(), provider);
        var fresh = await HeaderAsync(Volatile.Read(ref _provider), sent.Parameter, ct).ConfigureAwait(false);
        if (fresh.ToString() == sent.ToString()) return response;

        response.Dispose();
        using var retry = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        retry.Headers.Authorization = fresh;
        return await base.SendAsync(retry, ct).ConfigureAwait(false);
    }

    private Task<AuthenticationHeaderValue> HeaderAsync(ITokenProvider provider, string? rejected, CancellationToken ct) =>
        provider is IRefreshingTokenProvider refreshing
            ? refreshing.GetAuthenticationHeaderAsync(logger, rejected, ct)
            : provider.GetAuthenticationHeaderAsync(ct);
}
