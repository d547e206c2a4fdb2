using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ClusterDns.Kubernetes.Connection;

/// <summary>
/// Verifies the API server's certificate against the configured CA as the only trust anchor, not the
/// machine's store (a cluster CA is private, and trusting public CAs for it would be wrong), and checks its
/// name: the library's own check accepts any certificate the CA issued, whatever its name.
/// </summary>
internal static class CertificateValidation
{
    /// <param name="serverName">kubeconfig's <c>tls-server-name</c>: the name to check instead of the URL's host.</param>
    public static bool Validate(X509Certificate2Collection? trustedCa, string? serverName, X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return false;
        var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        if (!string.IsNullOrEmpty(serverName))
        {
            // HttpClient checked the URL's host; tls-server-name replaces it, as in client-go.
            if (!leaf.MatchesHostname(serverName)) return false;
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        if (trustedCa is null || trustedCa.Count == 0) return errors == SslPolicyErrors.None;

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        return chain.Build(leaf);
    }
}
