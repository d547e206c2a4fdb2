using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterDns.Server.Plugins.Tls;

/// <summary>Whether a client certificate chains to the block's CA (or the system roots) and may authenticate clients.</summary>
internal static class ClientChain
{
    private static readonly Oid s_clientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public static bool Verify(X509Certificate certificate, X509Certificate2Collection? authorities)
    {
        using var client = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(s_clientAuthentication);
        if (authorities is not null)
        {
            // Only the named CA: a certificate some public root signed is not a client of this server.
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        }
        return chain.Build(client);
    }
}
