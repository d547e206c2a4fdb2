using System.Net;
using System.Net.Http.Headers;

namespace ClusterDns.Kubernetes.Connection;

/// <summary>Adds the bearer token to each request; on 401 with a file token, re-reads the file and retries once.</summary>
internal sealed class BearerTokenHandler(BearerTokenSource tokens, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var token = tokens.Current;
        SetToken(request, token);
        var response = await base.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !tokens.IsFromFile || request.Content is not null)
        {
            return response;
        }

        tokens.Invalidate();
        var fresh = tokens.Current;
        if (fresh == token) return response;

        response.Dispose();
        using var retry = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        SetToken(retry, fresh);
        return await base.SendAsync(retry, ct).ConfigureAwait(false);
    }

    private static void SetToken(HttpRequestMessage request, string? token) =>
        request.Headers.Authorization = string.IsNullOrEmpty(token) ? null : new AuthenticationHeaderValue("Bearer", token);
}
