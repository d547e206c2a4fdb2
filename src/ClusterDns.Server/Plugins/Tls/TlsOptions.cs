namespace ClusterDns.Server.Plugins.Tls;

/// <summary><c>tls CERT KEY [CA] { client_auth MODE }</c>, paths resolved against the Corefile's folder.</summary>
public sealed record TlsOptions(string CertificatePath, string KeyPath, string? AuthorityPath, TlsClientAuth ClientAuth)
{
    /// <summary>How often the files are compared with what is served (a rotated cert-manager Secret lands within this).</summary>
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(10);
}
