using System.Net;
using System.Text;
using ClusterDns.Testing.FakeApiServer;

namespace ClusterDns.Kubernetes.Tests.Connection;

/// <summary>
/// A kubeconfig user with <c>auth-provider: oidc</c> loaded from a real file: the refresh goes to an HTTPS
/// issuer trusted through <c>idp-certificate-authority(-data)</c>, and the new id-token reaches the API server.
/// </summary>
public sealed class OidcKubeConfigTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-oidc-").FullName;
    private readonly TestCertificateAuthority _issuerCa = new("Test OIDC issuer CA");
    private FakeKubernetesApiServer _api = null!;
    private FakeOidcIssuer _issuer = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApiServer.StartAsync();
        _issuer = await FakeOidcIssuer.StartAsync(_issuerCa);
        _issuer.Issued = token => _api.AcceptedTokens[token] = true;
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), _api.CertificateAuthority.CertificatePem);
        File.WriteAllText(Path.Combine(_directory, "issuer-ca.crt"), _issuerCa.CertificatePem);
    }

    public async Task DisposeAsync()
    {
        await _issuer.DisposeAsync();
        await _api.DisposeAsync();
        _issuerCa.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string Write(string providerConfig)
    {
        var path = Path.Combine(_directory, "config");
        File.WriteAllText(path, KubeConfigText.OneContext(_api.Server, "    certificate-authority: ca.crt", $"""
                auth-provider:
                  name: oidc
                  config:
            {providerConfig}
            """));
        return path;
    }

    private string Config(string expiredIdToken, string caLine) => $"""
                    idp-issuer-url: {_issuer.Url}
                    client-id: clusterdns
                    client-secret: secret
                    refresh-token: refresh-0
                    id-token: {expiredIdToken}
                    extra-scopes: groups,email
        {caLine}
        """;

    [Theory]
    [InlineData("data", HttpStatusCode.OK)]
    [InlineData("file", HttpStatusCode.OK)]
    [InlineData("none", HttpStatusCode.Unauthorized)] // the test CA is in no system store: the refresh fails
    public async Task ExpiredIdTokenIsRefreshedThroughAnHttpsIssuerTrustedByItsCa(string ca, HttpStatusCode expected)
    {
        var expired = FakeOidcIssuer.Jwt("from-kubeconfig", DateTimeOffset.UtcNow.AddMinutes(-5));
        var caLine = ca switch
        {
            "data" => "            idp-certificate-authority-data: " + Convert.ToBase64String(Encoding.UTF8.GetBytes(_issuerCa.CertificatePem)),
            "file" => "            idp-certificate-authority: " + Path.Combine(_directory, "issuer-ca.crt"),
            _ => "",
        };
        var path = Write(Config(expired, caLine));

        Assert.True(KubeConfigLoader.TryLoad(path, null, out var connection, out var error), error);
        var log = new RecordingLogger();
        using var http = connection!.CreateHttpClient(log);
        using var response = await http.GetAsync("/api/v1/namespaces");

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(1, _issuer.DiscoveryCalls);
            Assert.Equal("refresh-0", Assert.Single(_issuer.TokenRequests).RefreshToken);
            Assert.Matches(" token:ey[^ ]+$", _api.Requests.Last());
            Assert.DoesNotContain(expired, _api.Requests.Last());
        }
        else
        {
            Assert.Equal(0, _issuer.DiscoveryCalls);
            Assert.Contains(log.Entries, e => e.Message.Contains($"cannot reach the issuer {_issuer.Url}", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("            idp-issuer-url: ftp://issuer.example\n            client-id: c\n            refresh-token: r", "uses auth-provider oidc with idp-issuer-url \"ftp://issuer.example\", which is not an http or https URL")]
    [InlineData("            idp-issuer-url: https://issuer.example\n            refresh-token: r", "uses auth-provider oidc with a refresh-token but no client-id")]
    [InlineData("            idp-issuer-url: https://issuer.example\n            client-id: c\n            refresh-token: r\n            idp-certificate-authority-data: '%%%'", "idp-certificate-authority-data that is not a base64 PEM certificate")]
    [InlineData("            idp-issuer-url: https://issuer.example\n            client-id: c\n            refresh-token: r\n            idp-certificate-authority: /nonexistent/ca.crt", "idp-certificate-authority: cannot read CA file /nonexistent/ca.crt")]
    [InlineData("            idp-issuer-url: https://issuer.example\n            client-id: c", "uses auth-provider oidc without an id-token and without idp-issuer-url and refresh-token")]
    public void UnusableRefreshSettingsAreStartUpErrors(string providerConfig, string expected)
    {
        var path = Write(providerConfig);

        Assert.False(KubeConfigLoader.TryLoad(path, null, out var connection, out var error));
        Assert.Null(connection);
        Assert.Equal($"kubeconfig {path}: user \"me\" ", error![..($"kubeconfig {path}: user \"me\" ".Length)]);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task WithoutARefreshTokenTheIdTokenIsSentAsItIs()
    {
        // client-go cannot refresh either; the API server decides whether the token still holds.
        var idToken = FakeOidcIssuer.Jwt("static", DateTimeOffset.UtcNow.AddMinutes(-5));
        _api.AcceptedTokens[idToken] = true;
        var path = Write($"            idp-issuer-url: {_issuer.Url}\n            client-id: clusterdns\n            id-token: {idToken}");

        Assert.True(KubeConfigLoader.TryLoad(path, null, out var connection, out var error), error);
        using var http = connection!.CreateHttpClient();
        using var response = await http.GetAsync("/api/v1/namespaces");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith(" token:" + idToken, _api.Requests.Last());
        Assert.Equal(0, _issuer.DiscoveryCalls);
    }
}
