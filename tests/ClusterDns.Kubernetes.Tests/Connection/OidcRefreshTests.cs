using System.Net;
using ClusterDns.Kubernetes.Connection.Oidc;
using ClusterDns.Testing.FakeApiServer;
using k8s;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Kubernetes.Tests.Connection;

/// <summary>
/// client-go's oidc auth-provider behaviour, restated: the id-token is used until it expires (or the API server
/// rejects it), then refreshed through a real issuer on loopback, and the new token reaches the fake API server.
/// </summary>
public sealed class OidcRefreshTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new();
    private readonly RecordingLogger _log = new();
    private FakeKubernetesApiServer _api = null!;
    private FakeOidcIssuer _issuer = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApiServer.StartAsync();
        _issuer = await FakeOidcIssuer.StartAsync();
        _issuer.Clock = _clock.GetUtcNow;
        _issuer.Issued = token => _api.AcceptedTokens[token] = true;
    }

    public async Task DisposeAsync()
    {
        await _issuer.DisposeAsync();
        await _api.DisposeAsync();
    }

    private OidcTokenProvider Provider(string idToken, TimeSpan? timeout = null) =>
        new(new OidcIssuer(_issuer.Url, "clusterdns", "s3 cret", new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(30) }), idToken, "refresh-0", _clock);

    private HttpClient Client(OidcTokenProvider provider)
    {
        var configuration = new KubernetesClientConfiguration { Host = _api.Server.ToString(), SslCaCerts = [_api.CertificateAuthority.Certificate] };
        Assert.True(KubernetesConnection.TryCreate(configuration, "test", () => provider, out var connection, out var error), error);
        return connection!.CreateHttpClient(_log);
    }

    /// <summary>One list request; the token the API server saw ("none" when it refused it).</summary>
    private async Task<string> SentTokenAsync(HttpClient http, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await http.GetAsync("/api/v1/namespaces");
        Assert.Equal(expected, response.StatusCode);
        var auth = _api.Requests.Last();
        return auth[(auth.LastIndexOf(' ') + 1)..];
    }

    private string Accepted(string subject, TimeSpan expiresIn)
    {
        var token = FakeOidcIssuer.Jwt(subject, _clock.GetUtcNow() + expiresIn);
        _api.AcceptedTokens[token] = true;
        return token;
    }

    [Fact]
    public async Task ValidIdTokenIsUsedWithoutAskingTheIssuer()
    {
        var idToken = Accepted("from-kubeconfig", TimeSpan.FromHours(1));
        using var http = Client(Provider(idToken));

        Assert.Equal("token:" + idToken, await SentTokenAsync(http));
        Assert.Equal("token:" + idToken, await SentTokenAsync(http));
        Assert.Equal(0, _issuer.DiscoveryCalls);
        Assert.Empty(_issuer.TokenRequests);
    }

    [Theory]
    [InlineData(-3600)] // expired an hour ago
    [InlineData(5)] // expires within client-go's 10 s margin
    [InlineData(null)] // no id-token yet: only the refresh token was kept
    public async Task StaleIdTokenIsRefreshedBeforeTheFirstRequest(int? expiresInSeconds)
    {
        var idToken = expiresInSeconds is { } s ? FakeOidcIssuer.Jwt("old", _clock.GetUtcNow().AddSeconds(s)) : "";
        using var http = Client(Provider(idToken));

        var sent = await SentTokenAsync(http);

        var request = Assert.Single(_issuer.TokenRequests);
        Assert.Equal(1, _issuer.DiscoveryCalls);
        Assert.Equal(("refresh_token", "refresh-0"), (request.GrantType, request.RefreshToken));
        // Basic auth with both halves form-encoded, as golang.org/x/oauth2 sends it; nothing in the body.
        Assert.Equal("clusterdns:s3+cret", request.BasicAuth);
        Assert.Null(request.BodyClientId);
        Assert.NotEqual("token:" + idToken, sent);
        Assert.Equal(_clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds(), IdTokenExpiry.Read(sent["token:".Length..])?.ToUnixTimeSeconds());
        Assert.Contains(_log.At(LogLevel.Information), m => m.Contains("oidc: refreshed the id-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnauthorizedMakesAStillValidIdTokenRefresh()
    {
        // Valid for an hour by its exp, but revoked: only the API server's 401 can tell.
        var revoked = FakeOidcIssuer.Jwt("revoked", _clock.GetUtcNow().AddHours(1));
        using var http = Client(Provider(revoked));

        var sent = await SentTokenAsync(http);

        Assert.Single(_issuer.TokenRequests);
        Assert.StartsWith("token:", sent);
        Assert.Equal(["none", sent], _api.Requests.Select(r => r[(r.LastIndexOf(' ') + 1)..]));
    }

    [Fact]
    public async Task RotatedRefreshTokenIsUsedNextTime()
    {
        var provider = Provider(FakeOidcIssuer.Jwt("old", _clock.GetUtcNow().AddMinutes(-1)));
        using var http = Client(provider);
        var first = await SentTokenAsync(http);
        Assert.Equal("refresh-1", provider.RefreshToken);

        _clock.Advance(TimeSpan.FromHours(2));
        var second = await SentTokenAsync(http);

        Assert.Equal(["refresh-0", "refresh-1"], _issuer.TokenRequests.Select(r => r.RefreshToken));
        Assert.NotEqual(first, second);
        Assert.Equal("refresh-2", provider.RefreshToken);
    }

    [Fact]
    public async Task ConcurrentRequestsShareOneRefresh()
    {
        var provider = Provider(FakeOidcIssuer.Jwt("old", _clock.GetUtcNow().AddMinutes(-1)));

        var headers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => provider.GetAuthenticationHeaderAsync(_log, null, CancellationToken.None))));

        Assert.Single(_issuer.TokenRequests);
        Assert.Single(headers.Select(h => h.Parameter).Distinct());
    }

    [Fact]
    public async Task BasicAuthRefusedFallsBackToTheClientInTheBody()
    {
        _issuer.RejectBasicAuth = true;
        using var http = Client(Provider(""));
        await SentTokenAsync(http);
        _clock.Advance(TimeSpan.FromHours(2));
        await SentTokenAsync(http);

        // oauth2's auto-detection: header first, then the body, and the body only once that worked.
        Assert.Equal([true, false, false], _issuer.TokenRequests.Select(r => r.BasicAuth is not null));
        Assert.All(_issuer.TokenRequests.Skip(1), r => Assert.Equal(("clusterdns", "s3 cret"), (r.BodyClientId, r.BodyClientSecret)));
    }

    [Theory]
    [InlineData(IssuerFault.TokenEndpoint500, "answered 500 InternalServerError: \"upstream connect error")]
    [InlineData(IssuerFault.TokenEndpointGarbage, "answered 200 OK: \"{\"id_token\": \"unterminated\", not a JSON token response")]
    [InlineData(IssuerFault.NoIdToken, "returned no id_token")]
    [InlineData(IssuerFault.InvalidGrant, "answered 400 invalid_grant: Token is not active")]
    [InlineData(IssuerFault.DiscoveryNotFound, "answered 404 NotFound: \"<html><body>no such realm</body></html>\"")]
    [InlineData(IssuerFault.DiscoveryWithoutTokenEndpoint, "gave no http or https token_endpoint")]
    [InlineData(IssuerFault.Slow, "did not answer within 1 s")]
    [InlineData(IssuerFault.BogusCharset, "returned no id_token")]
    public async Task IssuerFailureKeepsTheLastTokenAndALaterSuccessRecovers(IssuerFault fault, string reason)
    {
        // Expired by its exp, still taken by the API server: what was sent is visible.
        var old = Accepted("old", TimeSpan.FromMinutes(-1));
        _issuer.Fault = fault;
        using var http = Client(Provider(old, timeout: fault == IssuerFault.Slow ? TimeSpan.FromSeconds(1) : null));

        Assert.Equal("token:" + old, await SentTokenAsync(http));
        var warning = Assert.Single(_log.At(LogLevel.Warning));
        Assert.Contains(reason, warning);
        Assert.Contains("keeping the last one, asking the issuer again in 1 s", warning);

        // Within the backoff the issuer is left alone.
        Assert.Equal("token:" + old, await SentTokenAsync(http));
        Assert.Equal(1, _issuer.DiscoveryCalls);

        _issuer.Fault = IssuerFault.None;
        _clock.Advance(TimeSpan.FromSeconds(1));
        var recovered = await SentTokenAsync(http);

        Assert.NotEqual("token:" + old, recovered);
        Assert.Equal(2, _issuer.DiscoveryCalls);
        Assert.Single(_log.At(LogLevel.Warning));
    }

    [Fact]
    public async Task BackoffDoublesWhileTheIssuerKeepsFailing()
    {
        _issuer.Fault = IssuerFault.TokenEndpoint500;
        var provider = Provider(Accepted("old", TimeSpan.FromMinutes(-1)));
        foreach (var seconds in new[] { 1, 2, 4, 8 })
        {
            await provider.GetAuthenticationHeaderAsync(_log, null, CancellationToken.None);
            _clock.Advance(TimeSpan.FromSeconds(seconds));
        }

        Assert.Equal(4, _issuer.DiscoveryCalls);
        Assert.Equal(["1", "2", "4", "8"], _log.At(LogLevel.Warning).Select(m => m[(m.LastIndexOf(" in ", StringComparison.Ordinal) + 4)..^2]));
    }
}
