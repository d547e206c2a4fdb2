using System.Security.Cryptography;
using ClusterDns.Testing.FakeApiServer;

namespace ClusterDns.Server.Tests.Support;

/// <summary>
/// Certificates for the encrypted transports, made here (self-signed CA, leaf for 127.0.0.1/localhost, client
/// certificates) and offered as files for <see cref="CorefileServer"/>: <c>ca.pem</c>, <c>cert.pem</c>, <c>key.pem</c>,
/// plus broken ones (<c>garbage.pem</c>, <c>other-key.pem</c>: a key that is not the certificate's).
/// </summary>
internal sealed class TlsTestFiles : IDisposable
{
    public TlsTestFiles()
    {
        Authority = new TestCertificateAuthority("ClusterDns DoT Test CA");
        Server = Authority.IssueServer();
        Client = Authority.IssueClient("dns-client");
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        OtherKeyPem = other.ExportPkcs8PrivateKeyPem();
    }

    public TestCertificateAuthority Authority { get; }

    public IssuedCertificate Server { get; }

    public IssuedCertificate Client { get; }

    public string OtherKeyPem { get; }

    public Dictionary<string, string> Files(IReadOnlyDictionary<string, string>? more = null)
    {
        var files = new Dictionary<string, string>
        {
            ["ca.pem"] = Authority.CertificatePem,
            ["cert.pem"] = Server.CertificatePem,
            ["key.pem"] = Server.PrivateKeyPem,
            ["other-key.pem"] = OtherKeyPem,
            ["garbage.pem"] = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        };
        foreach (var (name, text) in more ?? new Dictionary<string, string>())
        {
            files[name] = text;
        }
        return files;
    }

    /// <summary>Writes <see cref="Files"/> into <paramref name="directory"/>.</summary>
    public void WriteTo(string directory)
    {
        foreach (var (name, text) in Files())
        {
            File.WriteAllText(Path.Combine(directory, name), text);
        }
    }

    public void Dispose()
    {
        Server.Certificate.Dispose();
        Client.Certificate.Dispose();
        Authority.Dispose();
    }
}
