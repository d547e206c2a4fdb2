using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ClusterDns.Kubernetes.Connection.Oidc;

/// <summary>The outcome of one refresh: the new id-token (and refresh token, when the issuer rotated it), or why not.</summary>
internal readonly record struct OidcRefresh(string? IdToken, string? RefreshToken, string? Error);

/// <summary>
/// One refresh as client-go makes it through golang.org/x/oauth2: discover the token endpoint from
/// <c>{issuer}/.well-known/openid-configuration</c> (every time, as client-go does; refreshes are rare), then
/// POST <c>grant_type=refresh_token</c>. The client authenticates by HTTP basic auth first and, when the
/// endpoint refuses that, with <c>client_id</c>/<c>client_secret</c> in the body (oauth2's auto-detection,
/// remembered once one works). Every failure is a value, never an exception, except the caller's cancellation.
/// </summary>
internal sealed class OidcIssuer(Uri issuer, string clientId, string clientSecret, HttpClient http)
{
    private const int BasicAuth = 1, BodyAuth = 2;
    private int _style;

    public async Task<OidcRefresh> RefreshAsync(string refreshToken, CancellationToken ct)
    {
        var discovery = new Uri(issuer.ToString().TrimEnd('/') + "/.well-known/openid-configuration");
        try
        {
            var (status, body) = await SendAsync(new HttpRequestMessage(HttpMethod.Get, discovery), ct).ConfigureAwait(false);
            if (status != HttpStatusCode.OK) return Failed($"discovery {discovery} answered {Describe(status, body)}");
            var endpoint = Parse(body, OidcJsonContext.Default.OidcDiscovery)?.TokenEndpoint;
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var tokenUrl) || tokenUrl.Scheme is not ("http" or "https"))
            {
                return Failed($"discovery {discovery} gave no http or https token_endpoint");
            }

            OidcRefresh result = default;
            foreach (var style in Volatile.Read(ref _style) is var known && known != 0 ? [known] : new[] { BasicAuth, BodyAuth })
            {
                result = await PostAsync(tokenUrl, refreshToken, style, ct).ConfigureAwait(false);
                if (result.Error is null)
                {
                    Volatile.Write(ref _style, style);
                    break;
                }
            }

            return result;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed($"the issuer {issuer} did not answer within {http.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            return Failed($"cannot reach the issuer {issuer}: {ex.Message}");
        }
    }

    private async Task<OidcRefresh> PostAsync(Uri tokenUrl, string refreshToken, int style, CancellationToken ct)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "refresh_token"), new("refresh_token", refreshToken) };
        var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl);
        if (style == BasicAuth)
        {
            // RFC 6749 §2.3.1: both halves form-encoded before the base64, as oauth2 does.
            var pair = WebUtility.UrlEncode(clientId) + ":" + WebUtility.UrlEncode(clientSecret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        else
        {
            form.Add(new("client_id", clientId));
            if (clientSecret.Length > 0) form.Add(new("client_secret", clientSecret));
        }

        request.Content = new FormUrlEncodedContent(form);
        var (status, body) = await SendAsync(request, ct).ConfigureAwait(false);
        var answer = Parse(body, OidcJsonContext.Default.OidcTokenResponse);
        if ((int)status is < 200 or > 299)
        {
            var reason = answer?.Error is { Length: > 0 } code ? $"{(int)status} {code}{(answer.ErrorDescription is { Length: > 0 } d ? ": " + d : "")}" : Describe(status, body);
            return Failed($"token endpoint {tokenUrl} answered {reason}");
        }

        if (answer is null) return Failed($"token endpoint {tokenUrl} answered {Describe(status, body)}, not a JSON token response");
        if (string.IsNullOrEmpty(answer.IdToken))
        {
            return Failed($"token endpoint {tokenUrl} returned no id_token (was the \"openid\" scope requested at login? does the issuer give id-tokens on refresh?)");
        }

        return new OidcRefresh(answer.IdToken, string.IsNullOrEmpty(answer.RefreshToken) ? null : answer.RefreshToken, null);
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
            // Bytes read as UTF-8 (RFC 8259 §8.1): a bogus charset in Content-Type must not make the read throw.
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            return (response.StatusCode, Encoding.UTF8.GetString(body));
        }
    }

    private static T? Parse<T>(string body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The status and the start of the body: enough to recognise an HTML error page, not a flood in the log.</summary>
    private static string Describe(HttpStatusCode status, string body)
    {
        const int Shown = 80;
        var start = body.Length > Shown ? body[..Shown] + "..." : body;
        return $"{(int)status} {status}: \"{start.ReplaceLineEndings(" ")}\"";
    }

    private static OidcRefresh Failed(string error) => new(null, null, error);
}
