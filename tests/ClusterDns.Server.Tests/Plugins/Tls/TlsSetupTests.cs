using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins;
using ClusterDns.Server.Plugins.Tls;
using ClusterDns.Server.Tests.Support;

namespace ClusterDns.Server.Tests.Plugins.Tls;

/// <summary>tls parsing: CoreDNS's TestTLS and TestTLSClientAuthentication tables restated, and the files checked at start-up.</summary>
public sealed class TlsSetupTests : IDisposable
{
    private readonly TlsTestFiles _certificates = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-tls-setup-").FullName;

    public TlsSetupTests() => _certificates.WriteTo(_directory);

    public void Dispose()
    {
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public static TheoryData<string, TlsClientAuth> ClientAuthModes => new()
    {
        // Without client_auth, or with nocert, no certificate is asked for, even when a CA is named (CoreDNS's default).
        { "", TlsClientAuth.NoCert },
        { "{\n client_auth nocert\n}", TlsClientAuth.NoCert },
        { "{\n client_auth request\n}", TlsClientAuth.Request },
        { "{\n client_auth require\n}", TlsClientAuth.Require },
        { "{\n client_auth verify_if_given\n}", TlsClientAuth.VerifyIfGiven },
        { "{\n client_auth require_and_verify\n}", TlsClientAuth.RequireAndVerify },
    };

    [Theory]
    [MemberData(nameof(ClientAuthModes))]
    public void Client_auth_maps_to_its_mode(string block, TlsClientAuth expected)
    {
        var options = TlsSetup.Parse(Directive($"tls cert.pem key.pem ca.pem {block}"), Resolve);

        Assert.Equal(expected, options.ClientAuth);
        Assert.Equal(Resolve("ca.pem"), options.AuthorityPath);
    }

    [Theory]
    [InlineData("tls cert.pem key.pem ca.pem {\n unknown\n}", ":3:", "unknown property 'unknown'")]
    [InlineData("tls cert.pem key.pem ca.pem {\n client_auth\n}", ":3:", "expects exactly 1 argument")]
    [InlineData("tls cert.pem key.pem ca.pem {\n client_auth none bogus\n}", ":3:", "expects exactly 1 argument")]
    [InlineData("tls cert.pem key.pem ca.pem {\n client_auth bogus\n}", ":3:", "unknown authentication type 'bogus'")]
    [InlineData("tls cert.pem", ":2:", "expects 2 to 3 arguments")]
    [InlineData("tls a b c d", ":2:", "expects 2 to 3 arguments")]
    [InlineData("tls cert.pem key.pem {\n keylog /tmp/keys\n}", ":3:", "'keylog' is not supported")]
    public void Bad_directives_are_errors_with_the_line(string line, string at, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => TlsSetup.Parse(Directive(line), Resolve));

        Assert.Contains("Corefile" + at, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("tls garbage.pem key.pem", "does not load")]
    [InlineData("tls cert.pem other-key.pem", "does not load")]
    [InlineData("tls missing.pem key.pem", "cannot read the TLS files")]
    [InlineData("tls cert.pem key.pem missing-ca.pem", "cannot read the TLS files")]
    [InlineData("tls cert.pem key.pem garbage.pem", "CA")]
    public void Files_that_do_not_make_a_certificate_stop_the_start_at_the_tls_line(string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Build($"tls://.:8853 {{\n whoami\n {line}\n}}\n"));

        Assert.StartsWith(Path.Combine(_directory, "Corefile") + ":3:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_tls_block_serves_its_port_with_the_certificate()
    {
        var pipeline = Build("tls://.:8853 {\n tls cert.pem key.pem ca.pem {\n  client_auth require_and_verify\n }\n whoami\n}\n");

        var group = Assert.Single(pipeline.Listeners);
        Assert.Equal(ServerTransport.Tls, group.Transport);
        Assert.Equal("tls://:8853", group.ServerLabel);
        var credentials = Assert.IsType<TlsCredentials>(group.Tls);
        Assert.Equal(_certificates.Server.Certificate.Thumbprint, credentials.Certificate.Thumbprint);
        Assert.True(credentials.ForDot.ClientCertificateRequired);
        Assert.Contains(credentials, pipeline.Components);
    }

    [Theory]
    [InlineData("tls://.", 853)]
    [InlineData("https://.", 443)]
    public void Encrypted_keys_default_to_their_port_whatever_the_port_flag(string key, int port)
    {
        var pipeline = new PipelineBuilder(BuiltInPlugins.CreateRegistry())
            .Build(CorefileParser.Parse($"{key} {{\n tls cert.pem key.pem\n whoami\n}}\n", Path.Combine(_directory, "Corefile")), new ServerBuildContext(Path.Combine(_directory, "Corefile")), portOverride: 1053);

        Assert.Equal(port, Assert.Single(pipeline.Listeners).Port);
    }

    [Theory]
    [InlineData(".:8853 {\n tls cert.pem key.pem\n whoami\n}\n", ":2:", "'tls' has no effect in a dns:// block")]
    [InlineData("tls://.:8853 {\n whoami\n}\n", ":1:", "tls:// port 8853 needs a certificate")]
    [InlineData("tls://a.example:8853 {\n tls cert.pem key.pem\n whoami\n}\nb.example:8853 {\n whoami\n}\n", ":5:", "a port serves one transport")]
    [InlineData("tls://a.example:8853 https://b.example:8853 {\n tls cert.pem key.pem\n whoami\n}\n", ":1:", "different schemes")]
    [InlineData("tls://.:8853 {\n tls cert.pem key.pem\n tls cert.pem key.pem\n whoami\n}\n", ":3:", "more than once")]
    public void Blocks_that_cannot_serve_encrypted_are_errors(string corefile, string at, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Build(corefile));

        Assert.Contains("Corefile" + at, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_block_with_a_plain_and_a_tls_key_serves_both_ports_with_tls_only_on_its_own()
    {
        var pipeline = Build("example.org:8053 tls://example.org:8853 {\n tls cert.pem key.pem\n whoami\n}\n");

        var groups = pipeline.Listeners.OrderBy(g => g.Port).ToArray();
        Assert.Equal([ServerTransport.Dns, ServerTransport.Tls], groups.Select(g => g.Transport));
        Assert.Null(groups[0].Tls);
        Assert.NotNull(groups[1].Tls);
    }

    [Fact]
    public void An_https_block_without_a_certificate_serves_plain_http_for_a_proxy_in_front()
    {
        var group = Assert.Single(Build("https://.:8443 {\n whoami\n}\n").Listeners);

        Assert.Equal(ServerTransport.Https, group.Transport);
        Assert.Null(group.Tls);
        Assert.Equal("https://:8443", group.ServerLabel);
    }

    private string Resolve(string path) => Path.Combine(_directory, path);

    private ServerPipeline Build(string corefile)
    {
        var path = Path.Combine(_directory, "Corefile");
        return new PipelineBuilder(BuiltInPlugins.CreateRegistry()).Build(CorefileParser.Parse(corefile, path), new ServerBuildContext(path));
    }

    private static Directive Directive(string line) =>
        CorefileParser.Parse($".:53 {{\n{line}\n}}\n", "Corefile").ServerBlocks[0].Directives[0];
}
