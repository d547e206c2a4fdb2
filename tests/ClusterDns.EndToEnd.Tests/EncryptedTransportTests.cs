using System.Security.Cryptography;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The real executable serving DNS over TLS and DNS over HTTPS beside plain DNS, asked with real kdig, dig and curl;
/// and a certificate that does not match its key stopping the start with the Corefile line.
/// </summary>
public sealed class EncryptedTransportTests : IDisposable
{
    private readonly TestCertificateAuthority _authority = new("ClusterDns E2E CA");

    public void Dispose() => _authority.Dispose();

    private void WriteCertificates(string directory)
    {
        var server = _authority.IssueServer();
        File.WriteAllText(Path.Combine(directory, "cert.pem"), server.CertificatePem);
        File.WriteAllText(Path.Combine(directory, "key.pem"), server.PrivateKeyPem);
        File.WriteAllText(Path.Combine(directory, "ca.pem"), _authority.CertificatePem);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(directory, "other-key.pem"), other.ExportPkcs8PrivateKeyPem());
    }

    [Fact]
    public async Task Dot_and_doh_clients_get_the_answers_plain_dns_gets()
    {
        int dot = FreePorts.Loopback();
        int doh = FreePorts.Loopback();
        await using var server = ServerProcess.Start($$"""
            .:{PORT} tls://.:{{dot}} https://.:{{doh}} {
                bind 127.0.0.1
                tls cert.pem key.pem
                hosts {
                    192.0.2.7 encrypted.test
                }
            }
            """, WriteCertificates);
        await server.WaitUntilAnsweringAsync("encrypted.test", "A");
        // Plain DNS answering does not say the encrypted listeners are up yet (a loaded machine showed it): the first
        // DoT and DoH questions are asked until answered, bounded.
        Assert.Equal("192.0.2.7", await KdigUntilAnsweredAsync($"@127.0.0.1 -p {dot} +tls +short encrypted.test A"));
        Assert.Equal("192.0.2.7", await KdigUntilAnsweredAsync($"@127.0.0.1 -p {doh} +https +short encrypted.test A"));
        Assert.Equal("192.0.2.7", (await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {dot} +tls +short +time=3 +tries=1 encrypted.test A")).Output.Trim());
        Assert.Equal("192.0.2.7", (await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {doh} +https +short +time=3 +tries=1 encrypted.test A")).Output.Trim());
        Assert.Equal("192.0.2.7", (await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {doh} +https-get +short +time=3 +tries=1 encrypted.test A")).Output.Trim());
        var curl = await ProcessRunner.RunAsync("curl", ["-sS", "--http2", "--cacert", Path.Combine(server.Directory, "ca.pem"), "-o", "/dev/null",
            "-w", "%{http_code} %{http_version} %{content_type}", $"https://127.0.0.1:{doh}/dns-query?dns=AAABAAABAAAAAAAACWVuY3J5cHRlZAR0ZXN0AAABAAE"]);
        Assert.Equal("200 2 application/dns-message", curl.Output.Trim());
    }

    private static async Task<string> KdigUntilAnsweredAsync(string arguments)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string last;
        do
        {
            last = (await ProcessRunner.RunAsync("kdig", arguments + " +timeout=1 +retry=0")).Output.Trim();
        }
        while (last.Length == 0 && DateTime.UtcNow < deadline);
        return last;
    }

    [Fact]
    public async Task A_certificate_that_does_not_match_its_key_stops_the_start_with_the_line()
    {
        await using var server = ServerProcess.Start("tls://.:{PORT} {\n    tls cert.pem other-key.pem\n    whoami\n}\n", WriteCertificates);
        int exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exit);
        Assert.Contains("Corefile:2:", server.StandardError);
        Assert.Contains("does not load", server.StandardError);
    }
}
