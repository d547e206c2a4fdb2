using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// A ClusterDns forwarding to a second ClusterDns over each encrypted transport (issue 18): DNS over TLS, DNS over
/// HTTPS with POST and with GET, the upstream's certificate checked against the test CA; both real executables.
/// </summary>
public sealed class ClusterDnsOverEncryptedTransportsTests : IDisposable
{
    private readonly TestCertificateAuthority _authority = new("ClusterDns E2E CA");

    public void Dispose() => _authority.Dispose();

    [Fact]
    public async Task A_clusterdns_forwards_to_another_over_dot_and_doh()
    {
        int dot = FreePorts.Loopback();
        int doh = FreePorts.Loopback();
        var issued = _authority.IssueServer();
        await using var upstream = ServerProcess.Start($$"""
            .:{PORT} tls://.:{{dot}} https://.:{{doh}} {
                bind 127.0.0.1
                tls cert.pem key.pem
                hosts {
                    192.0.2.7 over-tls.test
                    192.0.2.8 over-post.test
                    192.0.2.9 over-get.test
                }
            }
            """, directory =>
        {
            File.WriteAllText(Path.Combine(directory, "cert.pem"), issued.CertificatePem);
            File.WriteAllText(Path.Combine(directory, "key.pem"), issued.PrivateKeyPem);
        });
        await upstream.WaitUntilAnsweringAsync("over-tls.test", "A");

        await using var forwarder = ServerProcess.Start($$"""
            over-tls.test:{PORT} {
                bind 127.0.0.1
                forward . tls://127.0.0.1:{{dot}} {
                    tls ca.pem
                }
            }
            over-post.test:{PORT} {
                bind 127.0.0.1
                forward . https://127.0.0.1:{{doh}}/dns-query {
                    tls ca.pem
                    doh_method POST
                }
            }
            over-get.test:{PORT} {
                bind 127.0.0.1
                forward . https://127.0.0.1:{{doh}}/dns-query {
                    tls ca.pem
                    doh_method GET
                }
            }
            """, directory => File.WriteAllText(Path.Combine(directory, "ca.pem"), _authority.CertificatePem));

        foreach (var (name, address) in new[] { ("over-tls.test", "192.0.2.7"), ("over-post.test", "192.0.2.8"), ("over-get.test", "192.0.2.9") })
        {
            // Until answered (bounded): the upstream's encrypted listeners may come up after its plain one.
            var answer = await forwarder.DigUntilAsync($"{name} A", o => o.Contains("status: NOERROR", StringComparison.Ordinal));
            Assert.Matches($@"{name.Replace(".", @"\.")}\.\s+\d+\s+IN\s+A\s+{address.Replace(".", @"\.")}", answer);
        }
    }
}
