using ClusterDns.Testing.Files;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The real executable with <c>multicluster clusterset.local</c> serving zones/demo-clusterset (ServiceImports and
/// their labelled EndpointSlices as manifests), asked with real dig and kdig; a malformed option stops the start.
/// </summary>
public sealed class MulticlusterDigTests : IClassFixture<MulticlusterDigTests.ClustersetServer>
{
    private readonly ServerProcess _server;

    public MulticlusterDigTests(ClustersetServer fixture) => _server = fixture.Server;

    public sealed class ClustersetServer : IAsyncLifetime
    {
        public ServerProcess Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Server = ServerProcess.Start(Corefile, dir => RepositoryPaths.CopyDirectory(RepositoryPaths.PathOf("zones", "demo-clusterset"), Path.Combine(dir, "clusterset")));
            // SERVFAIL until the manifests are read: wait for an import.
            await Server.WaitUntilAnsweringAsync("web.shop.svc.clusterset.local", "A");
        }

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    private const string Corefile = """
        cluster.local:{PORT} clusterset.local:{PORT} in-addr.arpa:{PORT} {
            kubernetes cluster.local clusterset.local in-addr.arpa {
                manifests clusterset
                multicluster clusterset.local
                ttl 30
            }
        }
        """;

    public static TheoryData<string, string[]> DigCases => new()
    {
        { "web.shop.svc.clusterset.local A", ["10.42.42.42"] },
        { "web.shop.svc.clusterset.local AAAA", ["fd00:42::42"] },
        { "web.shop.svc.cluster.local A", ["10.96.0.20"] },
        { "_http._tcp.web.shop.svc.clusterset.local SRV", ["0 100 80 web.shop.svc.clusterset.local."] },
        { "pets.db.svc.clusterset.local A", ["10.3.0.100", "10.3.0.101"] },
        { "pet-1.cluster-b.pets.db.svc.clusterset.local AAAA", ["fd00:b::1"] },
        { "_https._tcp.pets.db.svc.clusterset.local SRV", [
            "0 25 443 pet-1.cluster-a.pets.db.svc.clusterset.local.",
            "0 25 443 pet-2.cluster-a.pets.db.svc.clusterset.local.",
            "0 25 443 pet-1.cluster-b.pets.db.svc.clusterset.local.",
            "0 25 443 fd00-b--2.cluster-b.pets.db.svc.clusterset.local."] },
        { "-x 10.96.0.20", ["web.shop.svc.cluster.local."] },
    };

    [Theory]
    [MemberData(nameof(DigCases))]
    public async Task Dig_over_udp_and_tcp_gets_the_clusterset_answers(string question, string[] expected)
    {
        Assert.Equal(expected.Order(), (await DigClient.ShortAsync(_server.Port, question)).Order());
        Assert.Equal(expected.Order(), (await DigClient.ShortAsync(_server.Port, "+tcp " + question)).Order());
    }

    [Theory]
    [InlineData("idle.db.svc.clusterset.local A", "NXDOMAIN")]
    [InlineData("pet-1.cluster-a.web.shop.svc.clusterset.local A", "NXDOMAIN")]
    [InlineData("cluster-a.pets.db.svc.clusterset.local A", "NOERROR")]
    [InlineData("pets.db.svc.cluster.local A", "NXDOMAIN")]
    public async Task Kdig_gets_negative_answers_with_the_clusterset_soa(string question, string status)
    {
        var reply = await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {_server.Port} {question}");
        Assert.Contains("status: " + status, reply.Output);
        Assert.Matches(@"(?i)flags: qr aa", reply.Output);
        string zone = question.Contains("clusterset", StringComparison.Ordinal) ? @"clusterset\.local\." : @"cluster\.local\.";
        Assert.Matches(zone + @"\s+30\s+IN\s+SOA\s+ns\.dns\.cluster\.local\.", reply.Output);
    }

    [Theory]
    [InlineData("multicluster elsewhere.local", ":3: multicluster zone 'elsewhere.local.' is not one of the kubernetes zones")]
    [InlineData("multicluster", ":3:")]
    public async Task A_malformed_multicluster_option_names_the_line_and_exits_non_zero(string line, string expected)
    {
        await using var server = ServerProcess.Start($".:{{PORT}} {{\n    kubernetes cluster.local clusterset.local {{\n        {line}\n    }}\n}}\n");
        int exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exit);
        Assert.Contains("Corefile" + expected, server.Output);
    }
}
