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
        var plugin = Path.Combine(_directory, "plugin.sh");
        File.WriteAllText(plugin, $$$"""
            #!/bin/sh
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"{{{_server.Token}}}"}}'
            """);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
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
        { "tls-server-name", "    certificate-authority: ca.crt\n    tls-server-name: localhost", "    token: TOKEN" },
        { "exec plugin", "    certificate-authority: ca.crt", "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: PLUGIN" },
        { "oidc id-token", "    certificate-authority: ca.crt", "    auth-provider:\n      name: oidc\n      config:\n        id-token: TOKEN" },
    };

    [Theory]
    [MemberData(nameof(WorkingForms))]
    public async Task EachAuthFormConnects(string form, string cluster, string user)
    {
        string Fill(string s) => s.Replace("TOKEN", _server.Token, StringComparison.Ordinal)
            .Replace("CADATA", Base64(_server.CertificateAuthority.CertificatePem), StringComparison.Ordinal)
            .Replace("CERTDATA", Base64(_client.CertificatePem), StringComparison.Ordinal)
            .Replace("KEYDATA", Base64(_client.PrivateKeyPem), StringComparison.Ordinal)
            .Replace("PLUGIN", Path.Combine(_directory, "plugin.sh"), StringComparison.Ordinal);
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
    [InlineData("    exec:\n      command: /nonexistent/plugin\n      apiVersion: client.authentication.k8s.io/v1", "external exec failed")]
    [InlineData("    exec:\n      command: /bin/false\n      apiVersion: client.authentication.k8s.io/v1", "external exec failed")]
    [InlineData("    auth-provider:\n      name: gcp", "user \"me\" uses auth-provider \"gcp\", which the Kubernetes client no longer supports; use its exec credential plugin")]
    [InlineData("    auth-provider:\n      name: oidc\n      config:\n        refresh-token: r", "user \"me\" uses auth-provider oidc without an id-token")]
    [InlineData("    username: admin\n    password: secret", "user \"me\" uses basic authentication")]
    [InlineData("    client-certificate-data: '%%%'\n    client-key-data: KEY", "invalid client certificate, key or CA")]
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
    [InlineData("[not: a: mapping", "not a valid kubeconfig (line 1)")]
    [InlineData("- just\n- a list", "not a valid kubeconfig")]
    [InlineData("", "not a kubeconfig (the file is empty)")]
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
        Assert.Contains("absent", error);
    }

    [Fact]
    public async Task ServerNameIsVerified()
    {
        var path = Write("    certificate-authority: ca.crt\n    tls-server-name: not-the-api-server.example", $"    token: {_server.Token}");

        Assert.True(KubeConfigLoader.TryLoad(path, null, out var connection, out var error), error);
        using var http = connection!.CreateHttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/api/v1/namespaces"));
    }

    [Fact]
    public async Task ProxyUrlCarriesTheConnection()
    {
        await using var proxy = new ConnectProxy();
        var path = Write($"    certificate-authority: ca.crt\n    proxy-url: {proxy.Url}", $"    token: {_server.Token}");

        Assert.True(KubeConfigLoader.TryLoad(path, null, out var connection, out var error), error);
        using var http = connection!.CreateHttpClient();
        using var response = await http.GetAsync("/api/v1/namespaces");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"CONNECT 127.0.0.1:{_server.Server.Port} HTTP/1.1", Assert.Single(proxy.Tunnels));
    }

    [Theory]
    [InlineData("ftp://proxy.example:21", "proxy-url \"ftp://proxy.example:21\" is not an http, https or socks5 URL")]
    [InlineData("not a url", "is not an http, https or socks5 URL")]
    public void BadProxyUrlIsAClearError(string proxy, string expected)
    {
        var path = Write($"    certificate-authority: ca.crt\n    proxy-url: {proxy}", "    token: x");

        Assert.False(KubeConfigLoader.TryLoad(path, null, out _, out var error));
        Assert.Contains(expected, error);
    }
}
