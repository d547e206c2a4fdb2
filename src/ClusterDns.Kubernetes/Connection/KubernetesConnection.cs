using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClusterDns.Kubernetes.Connection;
using k8s;
using k8s.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Kubernetes;

/// <summary>
/// Where the API server is and how to authenticate to it: in-cluster service account, a kubeconfig
/// (<see cref="KubeConfigLoader"/>) or an explicit endpoint. The configuration and tokens are the Kubernetes client
/// library's; our list/watch decoder runs over the HttpClient built from them (<see cref="ApiServerHandler"/>).
/// Creation returns errors as values.
/// </summary>
public sealed class KubernetesConnection
{
    internal const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    private KubernetesConnection(KubernetesClientConfiguration configuration, Uri server, string description, Func<ITokenProvider>? tokens)
    {
        Configuration = configuration;
        Server = server;
        Description = description;
        Tokens = tokens;
    }

    /// <summary>The API server's base URL.</summary>
    public Uri Server { get; }

    /// <summary>Where this connection came from, for logs ("in-cluster", "kubeconfig PATH context NAME", …).</summary>
    public string Description { get; }

    internal KubernetesClientConfiguration Configuration { get; }

    /// <summary>Makes the bearer-token provider; null when the connection sends no token (client certificate only).</summary>
    internal Func<ITokenProvider>? Tokens { get; }

    /// <summary>
    /// Checks <paramref name="configuration"/> by building its HTTP handler once (it loads the client
    /// certificate then; the CA was read before), so a bad certificate is an error at start-up, not on the first request.
    /// </summary>
    internal static bool TryCreate(KubernetesClientConfiguration configuration, string description, Func<ITokenProvider>? tokens,
        out KubernetesConnection? connection, out string? error)
    {
        connection = null;
        if (!Uri.TryCreate(configuration.Host, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            error = $"server \"{configuration.Host}\" is not an http or https URL";
            return false;
        }

        var setup = configuration.FirstMessageHandlerSetup;
        configuration.FirstMessageHandlerSetup = sockets =>
        {
            sockets.PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1);
            sockets.ConnectTimeout = TimeSpan.FromSeconds(10);
            sockets.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            sockets.KeepAlivePingTimeout = TimeSpan.FromSeconds(15);
            sockets.AutomaticDecompression = DecompressionMethods.None;
            setup?.Invoke(sockets);
        };
        try
        {
            using var probe = ApiServerHandler.Create(configuration);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = "invalid client certificate, key or CA: " + ex.Message;
            return false;
        }

        connection = new KubernetesConnection(configuration, server, description, tokens);
        error = null;
        return true;
    }

    /// <summary>
    /// The connection of a pod: KUBERNETES_SERVICE_HOST/_PORT, the mounted CA and the service-account token,
    /// which the library re-reads every minute (bound tokens rotate) and we re-read at once on a 401.
    /// </summary>
    public static bool TryCreateInCluster(out KubernetesConnection? connection, out string? error) =>
        TryCreateInCluster(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"),
            Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT"), ServiceAccountDirectory, out connection, out error);

    internal static bool TryCreateInCluster(string? host, string? port, string serviceAccountDirectory,
        out KubernetesConnection? connection, out string? error)
    {
        connection = null;
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            error = "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set";
            return false;
        }

        var hostPart = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        if (!Uri.TryCreate($"https://{hostPart}:{port}", UriKind.Absolute, out var server))
        {
            error = $"in-cluster: invalid API server address {host}:{port}";
            return false;
        }

        var tokenPath = Path.Combine(serviceAccountDirectory, "token");
        if (!TokenSources.TryCheckFile(tokenPath, out var tokenError))
        {
            error = "in-cluster: " + tokenError;
            return false;
        }

        if (!TryLoadCaFile(Path.Combine(serviceAccountDirectory, "ca.crt"), out var ca, out var caError))
        {
            error = "in-cluster: " + caError;
            return false;
        }

        var configuration = new KubernetesClientConfiguration { Host = server.ToString(), SslCaCerts = ca };
        var created = TryCreate(configuration, "in-cluster " + server, TokenSources.File(tokenPath), out connection, out error);
        if (!created) error = "in-cluster: " + error;
        return created;
    }

    /// <summary>
    /// An explicit endpoint (http or https). Optional PEM files: a CA to verify the server with, and a
    /// client certificate and key (CoreDNS's <c>tls CERT KEY CACERT</c>); optional bearer token file.
    /// </summary>
    public static bool TryCreateForEndpoint(string url, out KubernetesConnection? connection, out string? error,
        string? caFile = null, string? clientCertificateFile = null, string? clientKeyFile = null, string? tokenFile = null)
    {
        connection = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            error = $"endpoint \"{url}\" is not an http or https URL";
            return false;
        }

        X509Certificate2Collection? ca = null;
        if (caFile is not null && !TryLoadCaFile(caFile, out ca, out error)) return false;
        if ((clientCertificateFile is null) != (clientKeyFile is null))
        {
            error = "a client certificate needs both a certificate and a key file";
            return false;
        }

        if (tokenFile is not null && !TokenSources.TryCheckFile(tokenFile, out error)) return false;

        var configuration = new KubernetesClientConfiguration
        {
            Host = server.ToString(),
            SslCaCerts = ca,
            ClientCertificateFilePath = clientCertificateFile,
            ClientKeyFilePath = clientKeyFile,
        };
        var tokens = tokenFile is null ? null : TokenSources.File(tokenFile);
        return TryCreate(configuration, "endpoint " + server, tokens, out connection, out error);
    }

    /// <summary>
    /// A new HttpClient over the library's handler (TLS, client certificate) and its tokens; the caller disposes it.
    /// <paramref name="logger"/> hears of token refreshes that fail (oidc).
    /// </summary>
    public HttpClient CreateHttpClient(ILogger? logger = null)
    {
        var refresh = Tokens is null ? null : new TokenRefreshHandler(Tokens, logger ?? NullLogger.Instance);
        // Only the library's configuration: the list/watch requests are ours (Api/), so no typed client.
        var sockets = ApiServerHandler.Create(Configuration);
        if (refresh is not null) refresh.InnerHandler = sockets;

        // The library accepts a server certificate whose name does not match once it chains to the CA;
        // ours checks the name as well (see CertificateValidation), against tls-server-name when given.
        var insecure = Configuration.SkipTlsVerify;
        var ca = Configuration.SslCaCerts;
        var serverName = Configuration.TlsServerName;
        sockets.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            insecure || CertificateValidation.Validate(ca, serverName, certificate, chain, errors);
        return new HttpClient(refresh ?? (HttpMessageHandler)sockets, disposeHandler: true) { BaseAddress = Server, Timeout = Timeout.InfiniteTimeSpan };
    }

    internal static bool TryLoadCaFile(string path, out X509Certificate2Collection? ca, out string error)
    {
        ca = null;
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read CA file {path}: {ex.Message}";
            return false;
        }

        return TryParseCa(pem, path, out ca, out error);
    }

    /// <summary>A kubeconfig <c>…-data</c> CA field: base64 of a PEM bundle.</summary>
    internal static bool TryDecodeCa(string base64, string origin, out X509Certificate2Collection? ca)
    {
        ca = null;
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written)
            && TryParseCa(System.Text.Encoding.UTF8.GetString(buffer, 0, written), origin, out ca, out _);
    }

    /// <summary>Every certificate of a PEM bundle (a CA being rotated has two), where the library keeps only the first.</summary>
    internal static bool TryParseCa(string pem, string origin, out X509Certificate2Collection? ca, out string error)
    {
        ca = new X509Certificate2Collection();
        try
        {
            ca.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            error = $"{origin}: not a PEM certificate: {ex.Message}";
            return false;
        }

        error = ca.Count == 0 ? $"{origin}: no PEM certificate found" : "";
        return ca.Count > 0;
    }
}
