using System.Net;
using System.Text;
using ClusterDns.Testing.FakeApiServer;

namespace ClusterDns.Kubernetes.Tests.Connection;

/// <summary>Each kubeconfig form is loaded from a real file and then used against the fake HTTPS API server.</summary>
public sealed class KubeConfigLoaderTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-kubeconfig-").FullName;
    private FakeKubernetesApiServer _server = null!;
    private IssuedCertificate _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesApiServer.StartAsync();
        _client = _server.CertificateAuthority.IssueClient("kubeconfig-user");
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), _server.CertificateAuthority.CertificatePem);
        File.WriteAllText(Path.Combine(_directory, "client.crt"), _client.CertificatePem);
        File.WriteAllText(Path.Combine(_directory, "client.key"), _client.PrivateKeyPem);
        File.WriteAllText(Path.Combine(_directory, "token"), _server.Token + "\n");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private string Write(string cluster, string user, string name = "config")
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            current-context: main
            contexts:
            - name: other
              context: {"{"}cluster: nowhere, user: nobody{"}"}
            - name: main
              context:
                cluster: test
                user: me
            clusters:
            - name: test
              cluster:
                server: {_server.Server}
            {cluster}
            users:
            - name: me
              user:
            {user}
            """);
        return path;
    }

    public static TheoryData<string, string, string> WorkingForms => new()
    {
        // form, cluster lines (indented under cluster:), user lines (indented under user:)
        { "token", "    certificate-authority: ca.crt", "    token: TOKEN" },
        { "tokenFile", "    certificate-authority: ca.crt", "    tokenFile: token" },
        { "client certificate data", "    certificate-authority-data: CADATA", "    client-certificate-data: CERTDATA\n    client-key-data: KEYDATA" },
        { "client certificate files", "    certificate-authority: ca.crt", "    client-certificate: client.crt\n    client-key: client.key" },
        { "CA data", "    certificate-authority-data: CADATA", "    token: TOKEN" },
        { "insecure-skip-tls-verify", "    insecure-skip-tls-verify: true", "    token: TOKEN" },
    };

    [Theory]
    [MemberData(nameof(WorkingForms))]
    public async Task EachAuthFormConnects(string form, string cluster, string user)
    {
        string Fill(string s) => s.Replace("TOKEN", _server.Token, StringComparison.Ordinal)
            .Replace("CADATA", Base64(_server.CertificateAuthority.CertificatePem), StringComparison.Ordinal)
            .Replace("CERTDATA", Base64(_client.CertificatePem), StringComparison.Ordinal)
            .Replace("KEYDATA", Base64(_client.PrivateKeyPem), StringComparison.Ordinal);
        var path = Write(Fill(cluster), Fill(user));

        Assert.True(KubeConfigLoader.TryLoad(path, null, out var connection, out var error), form + ": " + error);
        using var http = connection!.CreateHttpClient();
        using var response = await http.GetAsync("/api/v1/namespaces");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var auth = _server.Requests.Last();
        Assert.EndsWith(form.StartsWith("client", StringComparison.Ordinal) ? " cert:kubeconfig-user" : " token:" + _server.Token, auth);
        Assert.Equal($"kubeconfig {path} context main", connection.Description);
    }

    [Fact]
    public async Task ServerIsVerifiedAgainstTheGivenCaOnly()
    {
        using var otherCa = new TestCertificateAuthority("Someone else");
        File.WriteAllText(Path.Combine(_directory, "other.crt"), otherCa.CertificatePem);
        var path = Write("    certificate-authority: other.crt", $"    token: {_server.Token}");

        Assert.True(KubeConfigLoader.TryLoad(path, null, out var connection, out _));
        using var http = connection!.CreateHttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/api/v1/namespaces"));
    }

    [Theory]
    [InlineData("    exec:\n      command: aws\n      apiVersion: client.authentication.k8s.io/v1", "user \"me\" uses exec credentials, which ClusterDns does not support; use a token or client certificate")]
    [InlineData("    auth-provider:\n      name: gcp", "user \"me\" uses an auth-provider, which ClusterDns does not support; use a token or client certificate")]
    [InlineData("    username: admin\n    password: secret", "user \"me\" uses basic authentication")]
    [InlineData("    client-certificate-data: '%%%'\n    client-key-data: KEY", "client-certificate-data is not base64")]
    [InlineData("    client-certificate: client.crt", "a client certificate needs both a certificate and a key")]
    [InlineData("    tokenFile: missing-token", "cannot read token file")]
    public void UnsupportedOrBrokenUsersAreClearErrors(string user, string expected)
    {
        var path = Write("    certificate-authority: ca.crt", user);

        Assert.False(KubeConfigLoader.TryLoad(path, null, out var connection, out var error));
        Assert.Null(connection);
        Assert.StartsWith($"kubeconfig {path}: ", error);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("other", "cluster \"nowhere\" of context \"other\" not found")]
    [InlineData("absent", "context \"absent\" not found")]
    public void MissingReferencesAreClearErrors(string context, string expected)
    {
        var path = Write("    certificate-authority: ca.crt", "    token: x");

        Assert.False(KubeConfigLoader.TryLoad(path, context, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("[not: a: mapping", "invalid YAML")]
    [InlineData("- just\n- a list", "not a kubeconfig")]
    [InlineData("clusters: []", "no context given and no current-context set")]
    public void MalformedFilesAreClearErrors(string content, string expected)
    {
        var path = Path.Combine(_directory, "bad");
        File.WriteAllText(path, content);

        Assert.False(KubeConfigLoader.TryLoad(path, null, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        Assert.False(KubeConfigLoader.TryLoad(Path.Combine(_directory, "absent"), null, out _, out var error));
        Assert.Contains("cannot read", error);
    }
}
