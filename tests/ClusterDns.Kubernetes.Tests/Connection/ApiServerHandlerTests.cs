using System.Security.Cryptography.X509Certificates;
using System.Text;
using ClusterDns.Kubernetes.Connection;
using ClusterDns.Testing.FakeApiServer;
using k8s;

namespace ClusterDns.Kubernetes.Tests.Connection;

/// <summary>
/// The client certificate the API server handler presents, read from the library's configuration as the library's
/// typed client read it (which we no longer construct): both halves needed, base64 PEM data or files, a file
/// winning over data. That it authenticates is ApiAuthenticationTests.ClientCertificateAuthenticates.
/// </summary>
public sealed class ApiServerHandlerTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-handler-").FullName;

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Base64PemDataGivesTheCertificateWithItsKey()
    {
        var issued = _ca.IssueClient("alice");
        var configuration = new KubernetesClientConfiguration
        {
            Host = "https://127.0.0.1:6443",
            ClientCertificateData = Base64(issued.CertificatePem),
            ClientCertificateKeyData = Base64(issued.PrivateKeyPem),
        };

        using var certificate = ApiServerHandler.ClientCertificate(configuration);

        Assert.NotNull(certificate);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(issued.Certificate.Thumbprint, certificate.Thumbprint);
        using var handler = ApiServerHandler.Create(configuration);
        var presented = Assert.IsAssignableFrom<X509Certificate>(Assert.Single(handler.SslOptions.ClientCertificates!));
        Assert.Equal(issued.Certificate.Thumbprint, presented.GetCertHashString());
    }

    [Fact]
    public void AFileWinsOverData()
    {
        var inFiles = _ca.IssueClient("from-files");
        var inData = _ca.IssueClient("from-data");
        var certificateFile = Path.Combine(_directory, "client.crt");
        var keyFile = Path.Combine(_directory, "client.key");
        File.WriteAllText(certificateFile, inFiles.CertificatePem);
        File.WriteAllText(keyFile, inFiles.PrivateKeyPem);
        var configuration = new KubernetesClientConfiguration
        {
            Host = "https://127.0.0.1:6443",
            ClientCertificateFilePath = certificateFile,
            ClientKeyFilePath = keyFile,
            ClientCertificateData = Base64(inData.CertificatePem),
            ClientCertificateKeyData = Base64(inData.PrivateKeyPem),
        };

        using var certificate = ApiServerHandler.ClientCertificate(configuration);

        Assert.Equal(inFiles.Certificate.Thumbprint, certificate?.Thumbprint);
    }

    [Fact]
    public void OneHalfAloneIsNoCertificate()
    {
        var issued = _ca.IssueClient("half");
        var configuration = new KubernetesClientConfiguration { Host = "https://127.0.0.1:6443", ClientCertificateData = Base64(issued.CertificatePem) };

        Assert.Null(ApiServerHandler.ClientCertificate(configuration));
        using var handler = ApiServerHandler.Create(configuration);
        Assert.Empty(handler.SslOptions.ClientCertificates!);
    }

    [Fact]
    public void DataThatIsNotBase64IsAnErrorAtCreation()
    {
        var configuration = new KubernetesClientConfiguration
        {
            Host = "https://127.0.0.1:6443",
            ClientCertificateData = "%%%",
            ClientCertificateKeyData = "%%%",
        };

        Assert.Throws<FormatException>(() => ApiServerHandler.Create(configuration));
    }

    [Fact]
    public void TheConfigurationsSetupRunsOnTheHandler()
    {
        var configuration = new KubernetesClientConfiguration
        {
            Host = "https://127.0.0.1:6443",
            FirstMessageHandlerSetup = handler => handler.ConnectTimeout = TimeSpan.FromSeconds(7),
        };

        using var handler = ApiServerHandler.Create(configuration);

        Assert.Equal(TimeSpan.FromSeconds(7), handler.ConnectTimeout);
        Assert.Equal(HttpKeepAlivePingPolicy.WithActiveRequests, handler.KeepAlivePingPolicy);
    }

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
}
