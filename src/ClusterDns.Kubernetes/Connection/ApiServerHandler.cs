using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;

namespace ClusterDns.Kubernetes.Connection;

/// <summary>
/// The HTTP handler for the API server, built from the library's <see cref="KubernetesClientConfiguration"/> as
/// the library's typed client builds its own (keep-alive pings while requests are open, the client certificate
/// from PEM data or files, then <see cref="KubernetesClientConfiguration.FirstMessageHandlerSetup"/>), without
/// constructing that client: <c>new k8s.Kubernetes(…)</c> keeps the library's JSON metadata for every API model
/// in a native build, 12.5 MB of executable and 13 MB of resident memory that our list/watch never uses
/// (docs/performance.md, "Memory: where it goes").
/// </summary>
internal static class ApiServerHandler
{
    /// <summary>A new handler; throws what loading the client certificate throws (a bad PEM, a missing file).</summary>
    public static SocketsHttpHandler Create(KubernetesClientConfiguration configuration)
    {
        var handler = new SocketsHttpHandler
        {
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromMinutes(3),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        };
        try
        {
            handler.SslOptions.ClientCertificates = new X509Certificate2Collection();
            if (ClientCertificate(configuration) is { } certificate) handler.SslOptions.ClientCertificates.Add(certificate);
            configuration.FirstMessageHandlerSetup?.Invoke(handler);
            return handler;
        }
        catch
        {
            handler.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The client certificate with its key when the configuration names both (base64 PEM data from the kubeconfig,
    /// or PEM files; a file wins over data), as the library reads them; null when either is missing.
    /// </summary>
    internal static X509Certificate2? ClientCertificate(KubernetesClientConfiguration configuration)
    {
        var certificate = Pem(configuration.ClientCertificateData, configuration.ClientCertificateFilePath);
        var key = Pem(configuration.ClientCertificateKeyData, configuration.ClientKeyFilePath);
        return certificate is null || key is null ? null : X509Certificate2.CreateFromPem(certificate, key);
    }

    private static string? Pem(string? base64Data, string? file) =>
        !string.IsNullOrWhiteSpace(file) ? File.ReadAllText(file)
        : !string.IsNullOrWhiteSpace(base64Data) ? Encoding.UTF8.GetString(Convert.FromBase64String(base64Data))
        : null;
}
