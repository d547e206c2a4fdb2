using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace ClusterDns.Server.Http;

/// <summary>
/// HTTPS for one HTTP address (<c>prometheus { tls CERT KEY [CA] }</c>): the server certificate and, when a CA is
/// given, the authorities a client certificate must chain to. <see cref="Identity"/> compares two settings
/// across reloads (same files and content: same settings, so the socket stays open).
/// </summary>
public sealed class HttpTlsSettings
{
    public HttpTlsSettings(X509Certificate2 certificate, X509Certificate2Collection? clientAuthorities)
    {
        Certificate = certificate;
        ClientAuthorities = clientAuthorities;
        Identity = certificate.Thumbprint + "|" + string.Join(",", clientAuthorities?.Select(c => c.Thumbprint) ?? []);
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Null: no client certificate is asked for. Otherwise one is required and must chain to these.</summary>
    public X509Certificate2Collection? ClientAuthorities { get; }

    public string Identity { get; }

    /// <summary>CoreDNS's metrics TLS accepts TLS 1.3 only by default (exporter-toolkit's min_version TLS13).</summary>
    public static SslProtocols Protocols => SslProtocols.Tls13;

    /// <summary>Whether a client certificate chains to <see cref="ClientAuthorities"/> (and nothing else).</summary>
    public bool IsTrustedClient(X509Certificate2? client)
    {
        if (ClientAuthorities is null)
        {
            return true;
        }
        if (client is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ClientAuthorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(client);
    }
}
