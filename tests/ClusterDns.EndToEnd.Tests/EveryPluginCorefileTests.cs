using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Files;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Peers;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// Issue 16's "done when": one Corefile using every plugin CoreDNS 1.14 operators write and the options 1.12–1.14
/// added starts the real executable, and a query per plugin shows that plugin at work, asked with real dig.
/// </summary>
public sealed class EveryPluginCorefileTests : IClassFixture<KnotDaemon>, IAsyncLifetime
{
    private readonly KnotDaemon _knot;
    private readonly TestCertificateAuthority _ca = new();
    private ServerProcess _server = null!;

    public EveryPluginCorefileTests(KnotDaemon knot) => _knot = knot;

    private string Corefile(int health, int ready, int metrics) => $$$"""
        .:{PORT} {
            bind lo {
                except ::1
            }
            view internal {
                expr incidr(client_ip(), '127.0.0.1/32')
            }
            metadata
            timeouts {
                read 10s
                write 10s
                idle 30s
                maxtcpqueries 100
            }
            errors {
                consolidate 5m ".* timeout" warning show_first
            }
            log . "{remote} {type} {name} {rcode} {/view/name}" {
                class denial error
            }
            health 127.0.0.1:{{{health}}} {
                lameduck 1s
                rotation_grace 1s
            }
            ready 127.0.0.1:{{{ready}}} {
                monitor until-ready
            }
            prometheus 127.0.0.1:{{{metrics}}} {
                runtime_metrics
                tls server.crt server.key
            }
            reload 10s
            local
            any
            nsid every-plugin
            chaos ClusterDns-e2e "Test Author"
            header {
                response clear ad
            }
            rewrite continue edns0 local set 0xffee 0x61626364
            rewrite name exact alias.example.org. www.example.org.
            acl {
                allow net 127.0.0.0/8
                block
            }
            shed
            dns64 {
                prefix 64:ff9b::/96
                allow_ipv4
            }
            template IN TXT template.test {
                match "^(?P<word>[a-z]+)[.]template[.]test[.]$"
                answer "{{ .Name }} 60 IN TXT \"{{ .Group.word }}\""
                fallthrough
            }
            minimal
            cache 30 {
                success 1000
                denial 1000
                prefetch 10 1m 10%
                serve_stale 1h verify 1s 30s 10s
                serve_stale_policy prefer_positive
            }
            loadbalance weighted weights.txt {
                reload 10s
                prefer 192.0.2.0/24
            }
            hosts {
                192.0.2.77 *.wild.localtest
                192.0.2.78 exact.localtest
                ttl 60
                fallthrough
                fallthrough_unsupported
            }
            file example.org.zone example.org {
                reload 1m
                reload_by_mtime
                fallthrough
            }
            kubernetes cluster.local in-addr.arpa ip6.arpa {
                manifests demo-cluster
                pods insecure
                fallthrough in-addr.arpa ip6.arpa
                apiserver_qps 50
                apiserver_burst 100
                apiserver_max_inflight 10
            }
            forward . localhost:{{{_knot.Port}}} {
                max_concurrent 100
                max_concurrent_per_client fair
                max_idle_conns 10
                max_connect_attempts 3
                failover SERVFAIL REFUSED
                max_age 1m
                source_address 127.0.0.1
                read_timeout 2s
                policy sequential
            }
        }
        .:{PORT} {
            bind lo {
                except ::1
            }
            whoami
        }
        """;

    public async Task InitializeAsync()
    {
        var certificate = _ca.IssueServer();
        _server = ServerProcess.Start(Corefile(FreePorts.Loopback(), FreePorts.Loopback(), FreePorts.Loopback()), prepare: directory =>
        {
            File.WriteAllText(Path.Combine(directory, "server.crt"), certificate.CertificatePem);
            File.WriteAllText(Path.Combine(directory, "server.key"), certificate.PrivateKeyPem);
            File.WriteAllText(Path.Combine(directory, "weights.txt"), "www.example.org\n192.0.2.1 10\n");
            File.Copy(RepositoryPaths.PathOf("zones", "example.org.zone"), Path.Combine(directory, "example.org.zone"));
            RepositoryPaths.CopyDirectory(RepositoryPaths.DemoCluster, Path.Combine(directory, "demo-cluster"));
        });
        await _server.WaitUntilAnsweringAsync("web-service.default.svc.cluster.local", "A");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _ca.Dispose();
    }

    private Task<string[]> Short(string question) => DigClient.ShortAsync(_server.Port, question);

    [Fact]
    public async Task Each_plugin_answers_its_part()
    {
        // kubernetes, file (through the rewrite), hosts with a wildcard, template, local, dns64, chaos, nsid, any.
        Assert.NotEmpty(await Short("web-service.default.svc.cluster.local A"));
        Assert.Equal(await Short("www.example.org A"), await Short("alias.example.org A"));
        Assert.Equal(["192.0.2.77"], await Short("anything.wild.localtest A"));
        Assert.Equal(["\"hello\""], await Short("hello.template.test TXT"));
        Assert.Equal(["127.0.0.1"], await Short("localhost A"));
        Assert.Equal(["64:ff9b::c000:24e"], await Short("exact.localtest AAAA"));
        Assert.Equal(["\"ClusterDns-e2e\""], await Short("CH TXT version.bind"));
        Assert.Contains("NSID: 65 76 65 72 79 2d 70 6c 75 67 69 6e", await DigClient.RunAsync(_server.Port, "+nsid www.example.org A"));
        Assert.Equal(["\"ANY obsoleted\" \"See RFC 8482\""], await Short("www.example.org ANY"));

        // minimal: a file answer without the zone's NS in authority.
        string full = await DigClient.RunAsync(_server.Port, "www.example.org A");
        Assert.Contains("AUTHORITY: 0", full);

        // view: a client other than 127.0.0.1 is answered by the default block (whoami).
        string whoami = await DigClient.RunAsync(_server.Port, "-b 127.0.0.2 www.example.org A");
        Assert.Contains("127.0.0.2", whoami);
        Assert.Contains("_udp.www.example.org", whoami);

        // file's fallthrough hands a name the zone lacks to forward, whose upstream (Knot DNS, named as
        // localhost:PORT) answers it: a forwarded answer carries RA, file's own answers do not.
        string forwarded = await DigClient.RunAsync(_server.Port, "nothere.example.org A");
        Assert.True(forwarded.Contains("status: NXDOMAIN", StringComparison.Ordinal), forwarded + _server.Output);
        Assert.Matches(@"flags: qr[a-z ]* ra", forwarded);
        Assert.DoesNotMatch(@"flags: qr[a-z ]* ra", full);
    }
}
