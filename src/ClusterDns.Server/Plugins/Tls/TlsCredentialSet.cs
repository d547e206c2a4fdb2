using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterDns.Server.Plugins.Tls;

/// <summary>
/// One loaded generation of a <c>tls</c> directive's files: the certificate (with the intermediates its file holds,
/// so clients get the whole chain), the client CA, and the handshake options built from them once.
/// </summary>
internal sealed class TlsCredentialSet
{
    private static readonly SslApplicationProtocol s_dot = new("dot");

    private readonly X509Certificate2Collection? _authorities;
    private readonly TlsClientAuth _clientAuth;

    private TlsCredentialSet(X509Certificate2 certificate, X509Certificate2Collection intermediates, X509Certificate2Collection? authorities, TlsClientAuth clientAuth, string fingerprint)
    {
        Certificate = certificate;
        _authorities = authorities;
        _clientAuth = clientAuth;
        Fingerprint = fingerprint;
        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        ForDot = Options(context, [s_dot]);
        ForDoh = Options(context, [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]);
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>A hash of the files' bytes: equal fingerprints, nothing to reload.</summary>
    public string Fingerprint { get; }

    public SslServerAuthenticationOptions ForDot { get; }

    public SslServerAuthenticationOptions ForDoh { get; }

    /// <summary>The hash <see cref="Fingerprint"/> would have for the files as they are now.</summary>
    public static string FingerprintOf(TlsOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(options.CertificatePath));
        hash.AppendData(File.ReadAllBytes(options.KeyPath));
        if (options.AuthorityPath is { } authority)
        {
            hash.AppendData(File.ReadAllBytes(authority));
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>Loads the files; <see cref="TlsLoadException"/> with the reason when they do not make a usable certificate.</summary>
    public static TlsCredentialSet Load(TlsOptions options)
    {
        string fingerprint;
        try
        {
            fingerprint = FingerprintOf(options);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new TlsLoadException($"cannot read the TLS files: {exception.Message}");
        }
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            // CreateFromPemFile takes the first certificate and checks that the key is its key.
            certificate = X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath);
            chain.ImportFromPemFile(options.CertificatePath);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException or IOException)
        {
            throw new TlsLoadException($"certificate '{options.CertificatePath}' with key '{options.KeyPath}' does not load: {exception.Message}");
        }
        if (!certificate.HasPrivateKey)
        {
            throw new TlsLoadException($"'{options.KeyPath}' holds no private key for '{options.CertificatePath}'");
        }
        var intermediates = new X509Certificate2Collection();
        for (int i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }
        X509Certificate2Collection? authorities = null;
        if (options.AuthorityPath is { } authorityPath)
        {
            authorities = new X509Certificate2Collection();
            try
            {
                authorities.ImportFromPemFile(authorityPath);
            }
            catch (Exception exception) when (exception is CryptographicException or ArgumentException or IOException)
            {
                throw new TlsLoadException($"CA '{authorityPath}' does not load: {exception.Message}");
            }
            if (authorities.Count == 0)
            {
                throw new TlsLoadException($"CA '{authorityPath}' holds no certificate");
            }
        }
        return new TlsCredentialSet(certificate, intermediates, authorities, options.ClientAuth, fingerprint);
    }

    private SslServerAuthenticationOptions Options(SslStreamCertificateContext context, List<SslApplicationProtocol> alpn) => new()
    {
        ServerCertificateContext = context,
        // RFC 8310 and RFC 8484 ask for TLS 1.2 at least; the handshake picks 1.3 when the client has it.
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ApplicationProtocols = alpn,
        ClientCertificateRequired = _clientAuth.AsksForCertificate(),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = IsAcceptedClient,
    };

    private bool IsAcceptedClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return !_clientAuth.RequiresCertificate();
        }
        if (!_clientAuth.Verifies())
        {
            return true;
        }
        return ClientChain.Verify(certificate, _authorities);
    }
}

/// <summary>The TLS files do not make a usable server certificate; the message says why.</summary>
internal sealed class TlsLoadException(string message) : Exception(message);
