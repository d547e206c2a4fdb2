using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// k8s_external in the real executable: a Corefile with kubernetes (manifests) and k8s_external, asked with dig
/// and kdig; bad k8s_external lines stop the start with file:line.
/// </summary>
public sealed class K8sExternalEndToEndTests
{
    private const string Corefile = """
        .:{PORT} {
            bind 127.0.0.1
            kubernetes cluster.local {
                manifests cluster
            }
            k8s_external example.org
        }
        """;

    private const string Services = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          type: LoadBalancer
          clusterIP: 10.96.8.8
          externalIPs: [192.0.2.10]
          ports: [{name: http, port: 80, protocol: TCP}]
        status:
          loadBalancer:
            ingress: [{ip: 203.0.113.7}]
        """;

    [Fact]
    public async Task Dig_and_kdig_get_the_external_addresses_of_a_service()
    {
        await using var server = ServerProcess.Start(Corefile, dir =>
        {
            Directory.CreateDirectory(Path.Combine(dir, "cluster"));
            File.WriteAllText(Path.Combine(dir, "cluster", "web.yaml"), Services);
        });
        await server.WaitUntilAnsweringAsync("web.default.example.org", "A");

        var dig = await DigClient.ShortAsync(server.Port, "web.default.example.org A");
        Assert.Equal(["192.0.2.10", "203.0.113.7"], dig);
        var kdig = await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {server.Port} +tcp +short _http._tcp.web.default.example.org SRV");
        Assert.Equal("0 100 80 web.default.example.org.", kdig.Output.Trim());
        Assert.Equal(["10.96.8.8"], await DigClient.ShortAsync(server.Port, "web.default.svc.cluster.local A"));
        Assert.Equal("NXDOMAIN", await DigClient.StatusAsync(server.Port, "nothing.default.example.org A"));
    }

    [Theory]
    [InlineData(".:{PORT} {\n    k8s_external example.org {\n        ttl 4000\n    }\n}\n", ":3:")]
    [InlineData(".:{PORT} {\n    k8s_external example.org {\n        apex a.b\n    }\n}\n", ":3: apex must be one DNS label")]
    [InlineData(".:{PORT} {\n    k8s_external example.org {\n        resyncperiod 30s\n    }\n}\n", ":3: unknown property 'resyncperiod' in 'k8s_external'")]
    public async Task A_bad_k8s_external_line_stops_the_start_with_its_line(string corefile, string expected)
    {
        await using var server = ServerProcess.Start(corefile);
        int exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exit);
        Assert.Contains("Corefile" + expected, server.Output);
    }
}
