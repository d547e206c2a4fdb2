using System.Security.Cryptography.X509Certificates;

namespace ClusterDns.Kubernetes.Connection.Oidc;

/// <summary>
/// An <c>auth-provider: oidc</c> user's config as client-go reads it: <c>idp-issuer-url</c>, <c>client-id</c>,
/// <c>client-secret</c>, <c>refresh-token</c>, <c>id-token</c> and the issuer's CA
/// (<c>idp-certificate-authority-data</c> before <c>idp-certificate-authority</c>, else the system roots).
/// <c>extra-scopes</c> is ignored: client-go sends no scopes on a refresh either.
/// </summary>
internal sealed record OidcSettings(Uri Issuer, string ClientId, string ClientSecret, string RefreshToken, string IdToken, X509Certificate2Collection? IssuerCa)
{
    /// <summary>
    /// Null settings (and no error) when the config cannot refresh (no refresh-token or no issuer URL): the
    /// id-token is then sent as it is. An unusable issuer URL, client id or CA is an error.
    /// </summary>
    public static bool TryRead(IDictionary<string, string>? config, out OidcSettings? settings, out string? error)
    {
        settings = null;
        error = null;
        string Get(string key) => config is not null && config.TryGetValue(key, out var value) ? value?.Trim() ?? "" : "";
        var issuerUrl = Get("idp-issuer-url");
        var refreshToken = Get("refresh-token");
        if (issuerUrl.Length == 0 || refreshToken.Length == 0) return true;

        if (!Uri.TryCreate(issuerUrl, UriKind.Absolute, out var issuer) || issuer.Scheme is not ("http" or "https"))
        {
            error = $"uses auth-provider oidc with idp-issuer-url \"{issuerUrl}\", which is not an http or https URL";
            return false;
        }

        var clientId = Get("client-id");
        if (clientId.Length == 0)
        {
            error = "uses auth-provider oidc with a refresh-token but no client-id to refresh it with";
            return false;
        }

        if (!TryReadCa(Get("idp-certificate-authority-data"), Get("idp-certificate-authority"), out var ca, out error)) return false;
        settings = new OidcSettings(issuer, clientId, Get("client-secret"), refreshToken, Get("id-token"), ca);
        return true;
    }

    private static bool TryReadCa(string data, string file, out X509Certificate2Collection? ca, out string? error)
    {
        ca = null;
        error = null;
        string caError;
        if (data.Length > 0)
        {
            if (!KubernetesConnection.TryDecodeCa(data, "idp-certificate-authority-data", out ca))
            {
                error = "uses auth-provider oidc with an idp-certificate-authority-data that is not a base64 PEM certificate";
                return false;
            }
        }
        else if (file.Length > 0 && !KubernetesConnection.TryLoadCaFile(file, out ca, out caError))
        {
            // As in client-go, the path is taken as it is written: relative to the working directory.
            error = "uses auth-provider oidc: idp-certificate-authority: " + caError;
            return false;
        }

        return true;
    }
}
