using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>How forward talks TLS to its upstreams: an optional client certificate, an optional CA, the name to verify.</summary>
internal sealed class TlsClientOptions
{
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Roots to trust instead of the system's; null uses the system trust store.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    /// <summary>The name the upstream's certificate must carry (SNI too); null means its IP address.</summary>
    public string? ServerName { get; init; }

    /// <summary>
    /// The name verified for <paramref name="upstream"/>: its own (<c>tls://IP%NAME</c>), else <c>tls_servername</c>,
    /// else the host of an <c>https://HOST</c> URL, else the upstream's IP address.
    /// </summary>
    public string ServerNameFor(UpstreamAddress upstream) => upstream.ServerName ?? ServerName ?? upstream.DefaultServerName;

    public SslClientAuthenticationOptions Create(UpstreamAddress upstream)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = ServerNameFor(upstream),
        };
        if (ClientCertificate is not null)
        {
            options.ClientCertificates = new X509CertificateCollection { ClientCertificate };
        }
        if (CertificateAuthorities is not null)
        {
            options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(CertificateAuthorities);
        }
        return options;
    }
}
