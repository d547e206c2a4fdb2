using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClusterDns.Corefile;
using ClusterDns.Server.Http;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary>
/// <c>tls CERT KEY [CA]</c> inside <c>prometheus</c> (CoreDNS 1.12.2+): PEM server certificate and key; with CA,
/// a client certificate chaining to it is required (mutual TLS). Files that do not load are a start-up error
/// at the <c>tls</c> line, as CoreDNS checks them before it listens.
/// </summary>
internal static class PrometheusTls
{
    public static HttpTlsSettings Load(Directive tls, Func<string, string> resolvePath)
    {
        var args = tls.Args;
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(resolvePath(args[0].Text), resolvePath(args[1].Text));
            X509Certificate2Collection? authorities = null;
            if (args.Count == 3)
            {
                authorities = new X509Certificate2Collection();
                authorities.ImportFromPemFile(resolvePath(args[2].Text));
                if (authorities.Count == 0)
                {
                    throw tls.Error($"'{args[2].Text}' holds no certificate");
                }
            }
            if (!certificate.HasPrivateKey)
            {
                throw tls.Error($"'{args[1].Text}' holds no private key for '{args[0].Text}'");
            }
            return new HttpTlsSettings(certificate, authorities);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw tls.Error($"cannot load the metrics TLS files: {exception.Message}");
        }
    }
}
