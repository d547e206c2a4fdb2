using ClusterDns.Kubernetes.Connection.Oidc;
using k8s.Authentication;
using k8s.KubeConfigModels;

namespace ClusterDns.Kubernetes.Connection;

/// <summary>
/// Makes the library's token providers. Each call gives a fresh provider, with nothing cached, so a token
/// the server has rejected is fetched anew (run the exec plugin again, re-read the file). The oidc provider is
/// the exception: it is one per connection, as it keeps the refresh token the issuer rotates.
/// </summary>
internal static class TokenSources
{
    public static Func<ITokenProvider> Fixed(string token) => () => new StringTokenProvider(token, "Bearer");

    /// <summary>A rotating token file (bound service-account tokens): the library re-reads it every minute.</summary>
    public static Func<ITokenProvider> File(string path) => () => new TokenFileAuth(path);

    /// <summary>An exec credential plugin: the library runs it again when its token is near expiry.</summary>
    public static Func<ITokenProvider> Exec(ExternalExecution exec) => () => new ExecTokenProvider(exec);

    /// <summary>
    /// An oidc auth-provider that can refresh (ours: the Aot library has none). The issuer is reached with its
    /// own CA when given, else the system roots, and each exchange is bounded by <paramref name="timeout"/>.
    /// </summary>
    public static Func<ITokenProvider> Oidc(OidcSettings settings, TimeSpan? timeout = null, TimeProvider? time = null)
    {
        var sockets = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) };
        if (settings.IssuerCa is { } ca)
        {
            sockets.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                CertificateValidation.Validate(ca, null, certificate, chain, errors);
        }

        // Bounded in time and size: a slow or flooding issuer costs one failed refresh, not a stuck client.
        var http = new HttpClient(sockets) { Timeout = timeout ?? TimeSpan.FromSeconds(30), MaxResponseContentBufferSize = 1 << 20 };
        var provider = new OidcTokenProvider(new OidcIssuer(settings.Issuer, settings.ClientId, settings.ClientSecret, http),
            settings.IdToken, settings.RefreshToken, time);
        return () => provider;
    }

    /// <summary>Reads a token file once, so a missing or empty file is an error at start-up rather than a 401 loop.</summary>
    public static bool TryCheckFile(string path, out string error)
    {
        try
        {
            var empty = System.IO.File.ReadAllText(path).Trim().Length == 0;
            error = empty ? $"token file {path} is empty" : "";
            return !empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read token file {path}: {ex.Message}";
            return false;
        }
    }
}
