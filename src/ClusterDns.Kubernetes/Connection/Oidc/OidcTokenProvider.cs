using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Kubernetes.Connection.Oidc;

/// <summary>
/// An oidc auth-provider's id-token, refreshed as client-go's oidc plugin does: used while its <c>exp</c> is more
/// than <see cref="ExpiryMargin"/> away, refreshed through the issuer when it is not or when the API server
/// rejected it. One refresh at a time for every client of the connection. A failed refresh is logged, the last
/// token is kept and the issuer is asked again after a backoff. New tokens stay in memory: client-go writes them
/// back to the kubeconfig, which here is usually a read-only mount, so a restart starts from the file's tokens.
/// </summary>
internal sealed partial class OidcTokenProvider : IRefreshingTokenProvider
{
    /// <summary>client-go's expiryDelta: refresh this long before <c>exp</c>, against clock skew.</summary>
    internal static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(2);

    private readonly OidcIssuer _issuer;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private Tokens _tokens;
    private int _failures;
    private DateTimeOffset _retryAt;

    public OidcTokenProvider(OidcIssuer issuer, string idToken, string refreshToken, TimeProvider? time = null)
    {
        _issuer = issuer;
        _time = time ?? TimeProvider.System;
        _tokens = new Tokens(idToken, refreshToken, IdTokenExpiry.Read(idToken));
    }

    /// <summary>The refresh token the next refresh sends (the issuer may have rotated it).</summary>
    internal string RefreshToken => Volatile.Read(ref _tokens).RefreshToken;

    public Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken) =>
        GetAuthenticationHeaderAsync(NullLogger.Instance, null, cancellationToken);

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(ILogger logger, string? rejected, CancellationToken ct)
    {
        var tokens = Volatile.Read(ref _tokens);
        if (Usable(tokens, rejected)) return Header(tokens);

        await _refreshing.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Another request may have refreshed while this one waited; a backoff keeps the last token.
            tokens = Volatile.Read(ref _tokens);
            if (Usable(tokens, rejected) || _time.GetUtcNow() < _retryAt) return Header(tokens);

            var refresh = await _issuer.RefreshAsync(tokens.RefreshToken, ct).ConfigureAwait(false);
            if (refresh.Error is { } error)
            {
                _failures++;
                var delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(_failures - 1, 20)));
                _retryAt = _time.GetUtcNow() + delay;
                LogRefreshFailed(logger, error, delay.TotalSeconds);
                return Header(tokens);
            }

            _failures = 0;
            _retryAt = default;
            var expiry = IdTokenExpiry.Read(refresh.IdToken);
            tokens = new Tokens(refresh.IdToken!, refresh.RefreshToken ?? tokens.RefreshToken, expiry);
            Volatile.Write(ref _tokens, tokens);
            LogRefreshed(logger, expiry?.ToString("u") ?? "unknown (no exp claim: used until the API server rejects it)", refresh.RefreshToken is not null);
            return Header(tokens);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>
    /// Not rejected, and either valid past the margin or of unknown expiry. An id-token without a readable
    /// <c>exp</c> is sent until the server rejects it (client-go refuses it instead: the API server decides).
    /// </summary>
    private bool Usable(Tokens tokens, string? rejected) =>
        tokens.IdToken.Length > 0 && tokens.IdToken != rejected
        && (tokens.Expiry is not { } expiry || _time.GetUtcNow() + ExpiryMargin < expiry);

    private static AuthenticationHeaderValue Header(Tokens tokens) => new("Bearer", tokens.IdToken);

    private sealed record Tokens(string IdToken, string RefreshToken, DateTimeOffset? Expiry);

    [LoggerMessage(Level = LogLevel.Information, Message = "oidc: refreshed the id-token; it expires {Expiry} (refresh token rotated: {Rotated})")]
    private static partial void LogRefreshed(ILogger logger, string expiry, bool rotated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "oidc: cannot refresh the id-token: {Error}; keeping the last one, asking the issuer again in {DelaySeconds:0.#} s")]
    private static partial void LogRefreshFailed(ILogger logger, string error, double delaySeconds);
}
