using System.Net;
using ClusterDns.Testing.FakeApiServer;

namespace ClusterDns.Kubernetes.Tests.Connection;

public sealed class KubernetesConnectionTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-sa-").FullName;
    private FakeKubernetesApiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeKubernetesApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task InClusterUsesServiceAccountTokenAndCa()
    {
        File.WriteAllText(Path.Combine(_directory, "token"), _server.Token);
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), _server.CertificateAuthority.CertificatePem);

        Assert.True(KubernetesConnection.TryCreateInCluster("127.0.0.1", _server.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _directory, out var connection, out var error), error);
        using var http = connection!.CreateHttpClient();
        using var response = await http.GetAsync("/api/v1/services");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Uri($"https://127.0.0.1:{_server.Server.Port}"), connection.Server);
    }

    [Theory]
    [InlineData(null, "443", false, false, "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")]
    [InlineData("10.96.0.1", "443", false, true, "cannot read token file")]
    [InlineData("10.96.0.1", "443", true, false, "cannot read CA file")]
    [InlineData("10.96.0.1", "not-a-port", true, true, "invalid API server address")]
    public void InClusterProblemsAreClearErrors(string? host, string port, bool token, bool ca, string expected)
    {
        if (token) File.WriteAllText(Path.Combine(_directory, "token"), "t");
        if (ca) File.WriteAllText(Path.Combine(_directory, "ca.crt"), _server.CertificateAuthority.CertificatePem);

        Assert.False(KubernetesConnection.TryCreateInCluster(host, port, _directory, out var connection, out var error));
        Assert.Null(connection);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void InClusterIPv6HostIsBracketed()
    {
        File.WriteAllText(Path.Combine(_directory, "token"), "t");
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), _server.CertificateAuthority.CertificatePem);

        Assert.True(KubernetesConnection.TryCreateInCluster("fd00::1", "443", _directory, out var connection, out _));
        Assert.Equal("https://[fd00::1]/", connection!.Server.ToString());
    }

    [Fact]
    public async Task EndpointWithCaClientCertificateFiles()
    {
        var client = _server.CertificateAuthority.IssueClient("endpoint-user");
        var ca = Path.Combine(_directory, "ca.crt");
        var cert = Path.Combine(_directory, "tls.crt");
        var key = Path.Combine(_directory, "tls.key");
        File.WriteAllText(ca, _server.CertificateAuthority.CertificatePem);
        File.WriteAllText(cert, client.CertificatePem);
        File.WriteAllText(key, client.PrivateKeyPem);

        Assert.True(KubernetesConnection.TryCreateForEndpoint(_server.Server.ToString(), out var connection, out var error, ca, cert, key), error);
        using var http = connection!.CreateHttpClient();
        using var response = await http.GetAsync("/api/v1/pods");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith(" cert:endpoint-user", _server.Requests.Last());
    }

    [Fact]
    public async Task EndpointWithoutCaTrustsOnlyTheSystemStore()
    {
        Assert.True(KubernetesConnection.TryCreateForEndpoint(_server.Server.ToString(), out var connection, out _));
        using var http = connection!.CreateHttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/api/v1/pods"));
    }

    [Theory]
    [InlineData("ftp://example.com", "is not an http or https URL")]
    [InlineData("not a url", "is not an http or https URL")]
    public void BadEndpointsAreClearErrors(string url, string expected)
    {
        Assert.False(KubernetesConnection.TryCreateForEndpoint(url, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void PlainHttpEndpointIsAccepted()
    {
        Assert.True(KubernetesConnection.TryCreateForEndpoint("http://127.0.0.1:8001", out var connection, out _));
        Assert.Equal("http", connection!.Server.Scheme);
    }
}
