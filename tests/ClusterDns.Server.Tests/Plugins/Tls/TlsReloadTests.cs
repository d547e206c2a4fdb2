using ClusterDns.Protocol;
using ClusterDns.Server.Hosting;
using ClusterDns.Server.Tests.Http;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Network;

namespace ClusterDns.Server.Tests.Plugins.Tls;

/// <summary>
/// A Corefile reload of a tls:// block: files that do not load fail the reload and the old certificate keeps
/// serving; other files take over on the same socket (the port is kept, its certificate swapped with the router).
/// </summary>
public sealed class TlsReloadTests : IDisposable
{
    private readonly TlsTestFiles _certificates = new();

    public void Dispose() => _certificates.Dispose();

    private static string Corefile(int port, string tls) => $$"""
        tls://example.org:{{port}} {
            bind 127.0.0.1
            {{tls}}
            file example.org.zone
        }
        """;

    [Fact]
    public async Task A_reload_with_a_broken_certificate_keeps_the_old_one_and_a_good_one_takes_over_the_same_socket()
    {
        int port = FreePorts.Loopback();
        var directory = OperabilityHarness.CreateDirectory(Corefile(port, "tls cert.pem key.pem"));
        _certificates.WriteTo(directory);
        var next = _certificates.Authority.IssueServer();
        await File.WriteAllTextAsync(Path.Combine(directory, "next.pem"), next.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(directory, "next-key.pem"), next.PrivateKeyPem);
        await using var harness = await OperabilityHarness.StartInAsync(directory);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var listener = Assert.Single(harness.Hosted.Server.Listeners);

        harness.WriteCorefile(Corefile(port, "tls cert.pem other-key.pem"));
        Assert.Equal(ReloadOutcome.Failed, await harness.Hosted.ReloadAsync(timeout.Token));
        await using (var old = await DotClient.ConnectAsync(port, _certificates.Authority.Certificate, cancellationToken: timeout.Token))
        {
            Assert.Equal(_certificates.Server.Certificate.Thumbprint, old.ServerCertificate.Thumbprint);
            Assert.Equal(ResponseCode.NoError, (await old.QueryAsync("www.example.org", RecordType.A, timeout.Token)).Rcode);
        }

        harness.WriteCorefile(Corefile(port, "tls next.pem next-key.pem"));
        Assert.Equal(ReloadOutcome.Reloaded, await harness.Hosted.ReloadAsync(timeout.Token));
        await using var renewed = await DotClient.ConnectAsync(port, _certificates.Authority.Certificate, cancellationToken: timeout.Token);

        Assert.Equal(next.Certificate.Thumbprint, renewed.ServerCertificate.Thumbprint);
        Assert.Equal(ResponseCode.NoError, (await renewed.QueryAsync("www.example.org", RecordType.A, timeout.Token)).Rcode);
        Assert.Same(listener, Assert.Single(harness.Hosted.Server.Listeners));
    }
}
