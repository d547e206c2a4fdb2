using System.Net;
using System.Net.Sockets;
using ClusterDns.Testing.Files;
using ClusterDns.Testing.Processes;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>The real executable serving a copy of the demo cluster, asked with real dig and kdig.</summary>
public sealed class DemoClusterTests : IClassFixture<DemoClusterTests.DemoServer>
{
    private readonly ServerProcess _server;

    public DemoClusterTests(DemoServer demo) => _server = demo.Server;

    /// <summary>One server for the class: started once, stopped after its last test.</summary>
    public sealed class DemoServer : IAsyncLifetime
    {
        public ServerProcess Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Server = ServerProcess.Start(Corefile, dir => RepositoryPaths.CopyDirectory(RepositoryPaths.DemoCluster, Path.Combine(dir, "demo-cluster")));
            // Answers start before the manifests are read (SERVFAIL until then): wait for a Service.
            await Server.WaitUntilAnsweringAsync("web-service.default.svc.cluster.local", "A");
        }

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    private const string Corefile = """
        cluster.local:{PORT} in-addr.arpa:{PORT} ip6.arpa:{PORT} {
            kubernetes cluster.local in-addr.arpa ip6.arpa {
                manifests demo-cluster
                pods insecure
                ttl 30
            }
        }
        """;

    public static TheoryData<string, string[]> DigCases => new()
    {
        { "web-service.default.svc.cluster.local A", ["10.96.100.10"] },
        { "headless-service.default.svc.cluster.local A", ["10.244.1.20", "10.244.2.21", "10.244.3.22"] },
        { "database-2.headless-service.default.svc.cluster.local A", ["10.244.3.22"] },
        { "_https._tcp.multi-port-service.default.svc.cluster.local SRV", ["0 100 443 multi-port-service.default.svc.cluster.local."] },
        { "external-database.default.svc.cluster.local A", ["database.example.org."] },
        { "backend-api.production.svc.cluster.local A", ["10.96.200.10"] },
        { "dual-stack-service.default.svc.cluster.local AAAA", ["fd00:10:96::100"] },
        { "-x 10.96.100.10", ["web-service.default.svc.cluster.local."] },
        { "web-service.default.svc.cluster.local AAAA", [] },
        { "dns-version.cluster.local TXT", ["\"1.1.0\""] },
    };

    [Theory]
    [MemberData(nameof(DigCases))]
    public async Task Dig_over_udp_and_tcp_gets_the_demo_answers(string question, string[] expected)
    {
        Assert.Equal(expected, await DigClient.ShortAsync(_server.Port, question));
        Assert.Equal(expected, await DigClient.ShortAsync(_server.Port, "+tcp " + question));
    }

    [Theory]
    [InlineData("+notcp")]
    [InlineData("+tcp")]
    public async Task Kdig_gets_authoritative_answers_and_negative_answers_with_the_soa(string transport)
    {
        var hit = await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {_server.Port} {transport} web-service.default.svc.cluster.local A");
        Assert.Contains("status: NOERROR", hit.Output);
        Assert.Matches(@"(?i)flags: qr aa", hit.Output);
        Assert.Matches(@"web-service\.default\.svc\.cluster\.local\.\s+30\s+IN\s+A\s+10\.96\.100\.10", hit.Output);

        var miss = await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {_server.Port} {transport} nothing.default.svc.cluster.local A");
        Assert.Contains("status: NXDOMAIN", miss.Output);
        Assert.Matches(@"cluster\.local\.\s+30\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\.", miss.Output);
    }

    [Fact]
    public async Task Editing_a_manifest_changes_the_answer_without_a_restart()
    {
        var file = Path.Combine(_server.Directory, "demo-cluster", "added.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: v1
            kind: Service
            metadata: {name: fresh, namespace: default}
            spec: {type: ClusterIP, clusterIP: 10.96.123.45, ports: [{name: http, port: 80, protocol: TCP}]}
            """);
        Assert.Equal(["10.96.123.45"], await PollAsync("fresh.default.svc.cluster.local A", r => r.Length == 1));

        File.Delete(file);
        Assert.Empty(await PollAsync("fresh.default.svc.cluster.local A", r => r.Length == 0));
    }

    /// <summary>The file watch has no event we can await from outside the process: ask until the answer changes (bounded).</summary>
    private async Task<string[]> PollAsync(string question, Func<string[], bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string[] answer;
        do
        {
            answer = await DigClient.ShortAsync(_server.Port, question);
            if (done(answer))
            {
                return answer;
            }
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return answer;
    }

    [Fact]
    public async Task Hostile_packets_get_formerr_notimp_or_nothing_and_the_server_keeps_answering()
    {
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Connect(IPAddress.Loopback, _server.Port);

        // A response (QR=1) is never answered: no reflection.
        byte[] response = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1];
        await client.SendAsync(response);
        // A header and nothing else: FORMERR (question count 1 but no question).
        byte[] headerOnly = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        await client.SendAsync(headerOnly);
        var formErr = await ReceiveAsync(client);
        Assert.Equal(0xAB, formErr[0]);
        Assert.Equal(0xCD, formErr[1]);
        Assert.Equal(1, formErr[3] & 0x0F);
        Assert.True((formErr[2] & 0x80) != 0, "QR set");
        Assert.True((formErr[2] & 0x01) != 0, "RD kept");

        // Opcode NOTIFY: NOTIMP.
        byte[] notify = [0x00, 0x07, 0x20, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1];
        await client.SendAsync(notify);
        var notImp = await ReceiveAsync(client);
        Assert.Equal(0x07, notImp[1]);
        Assert.Equal(4, notImp[3] & 0x0F);

        // A pointer loop in the question: FORMERR, not a hang.
        byte[] loop = [0x00, 0x08, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1];
        await client.SendAsync(loop);
        var loopReply = await ReceiveAsync(client);
        Assert.Equal(0x08, loopReply[1]);
        Assert.Equal(1, loopReply[3] & 0x0F);

        // Garbage shorter than a header: dropped. Then a real question still answers.
        await client.SendAsync(new byte[] { 1, 2, 3 });
        Assert.Equal(["10.96.100.10"], await DigClient.ShortAsync(_server.Port, "web-service.default.svc.cluster.local A"));
        Assert.False(_server.HasExited);
    }

    private static async Task<byte[]> ReceiveAsync(UdpClient client)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var result = await client.ReceiveAsync(cts.Token);
        ResponseOracle.AssertParses(result.Buffer);
        return result.Buffer;
    }
}
