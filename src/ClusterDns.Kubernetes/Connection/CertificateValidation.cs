using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ClusterDns.Kubernetes.Connection;

/// <summary>
/// Verifies the API server's certificate against the configured CA as the only trust anchor, not the
/// machine's store: a cluster CA is private, and trusting public CAs for it would be wrong.
/// </summary>
internal static class CertificateValidation
{
    public static bool Validate(X509Certificate2Collection? trustedCa, X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (trustedCa is null || trustedCa.Count == 0) return errors == SslPolicyErrors.None;
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
