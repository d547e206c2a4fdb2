using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClusterDns.Kubernetes.Connection;

namespace ClusterDns.Kubernetes;

/// <summary>
/// Where the API server is and how to authenticate to it: in-cluster service account, a kubeconfig
/// (<see cref="KubeConfigLoader"/>) or an explicit endpoint. Creation returns errors as values.
/// </summary>
public sealed class KubernetesConnection
{
    internal const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    internal KubernetesConnection(Uri server, string description)
    {
        Server = server;
        Description = description;
    }

    /// <summary>The API server's base URL.</summary>
    public Uri Server { get; }

    /// <summary>Where this connection came from, for logs ("in-cluster", "kubeconfig PATH context NAME", …).</summary>
    public string Description { get; }

    internal BearerTokenSource? Token { get; init; }
    internal X509Certificate2? ClientCertificate { get; init; }
    internal X509Certificate2Collection? TrustedCa { get; init; }
    internal bool InsecureSkipTlsVerify { get; init; }
    internal string? TlsServerName { get; init; }

    /// <summary>
    /// The connection of a pod: KUBERNETES_SERVICE_HOST/_PORT and the mounted service-account token
    /// (re-read every minute) and CA.
    /// </summary>
    public static bool TryCreateInCluster(out KubernetesConnection? connection, out string? error) =>
        TryCreateInCluster(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"),
            Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT"), ServiceAccountDirectory, TimeProvider.System,
            out connection, out error);

    internal static bool TryCreateInCluster(string? host, string? port, string serviceAccountDirectory, TimeProvider time,
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

        var token = BearerTokenSource.FromFile(Path.Combine(serviceAccountDirectory, "token"), time);
        if (!token.TryReadNow(out var tokenError))
        {
            error = "in-cluster: " + tokenError;
            return false;
        }

        var caPath = Path.Combine(serviceAccountDirectory, "ca.crt");
        if (!TryLoadCaFile(caPath, out var ca, out var caError))
        {
            error = "in-cluster: " + caError;
            return false;
        }

        connection = new KubernetesConnection(server, "in-cluster " + server) { Token = token, TrustedCa = ca };
        error = null;
        return true;
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

        X509Certificate2? client = null;
        if ((clientCertificateFile is null) != (clientKeyFile is null))
        {
            error = "a client certificate needs both a certificate and a key file";
            return false;
        }

        if (clientCertificateFile is not null && !TryLoadClientCertificateFiles(clientCertificateFile, clientKeyFile!, out client, out error)) return false;

        BearerTokenSource? token = null;
        if (tokenFile is not null)
        {
            token = BearerTokenSource.FromFile(tokenFile);
            if (!token.TryReadNow(out var tokenError))
            {
                error = tokenError;
                return false;
            }
        }

        connection = new KubernetesConnection(server, "endpoint " + server) { TrustedCa = ca, ClientCertificate = client, Token = token };
        error = null;
        return true;
    }

    /// <summary>A new HttpClient for this connection; the caller owns and disposes it.</summary>
    public HttpClient CreateHttpClient()
    {
        var sockets = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
            AutomaticDecompression = DecompressionMethods.None,
        };
        sockets.SslOptions.TargetHost = TlsServerName;
        if (ClientCertificate is not null) sockets.SslOptions.ClientCertificates = new X509CertificateCollection { ClientCertificate };

        var insecure = InsecureSkipTlsVerify;
        var ca = TrustedCa;
        sockets.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            insecure || CertificateValidation.Validate(ca, certificate, chain, errors);

        HttpMessageHandler handler = Token is null ? sockets : new BearerTokenHandler(Token, sockets);
        return new HttpClient(handler) { BaseAddress = Server, Timeout = Timeout.InfiniteTimeSpan };
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

    internal static bool TryLoadClientCertificateFiles(string certFile, string keyFile, out X509Certificate2? certificate, out string error)
    {
        certificate = null;
        string certPem, keyPem;
        try
        {
            certPem = File.ReadAllText(certFile);
            keyPem = File.ReadAllText(keyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read client certificate: {ex.Message}";
            return false;
        }

        return TryParseClientCertificate(certPem, keyPem, certFile, out certificate, out error);
    }

    internal static bool TryParseClientCertificate(string certPem, string keyPem, string origin, out X509Certificate2? certificate, out string error)
    {
        certificate = null;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certPem, keyPem);
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            error = $"{origin}: invalid client certificate or key: {ex.Message}";
            return false;
        }
    }
}
