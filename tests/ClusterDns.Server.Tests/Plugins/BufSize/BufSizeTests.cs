using ClusterDns.Corefile;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.BufSize;

/// <summary>bufsize caps UDP answers to EDNS clients; TCP still carries everything.</summary>
public sealed class BufSizeTests
{
    [Theory]
    [InlineData("bufsize 600", 600)]
    [InlineData("", 1232)]
    public async Task Udp_answers_to_edns_clients_stay_within_the_configured_size(string directive, int limit)
    {
        var endpoints = string.Join("\n", Enumerable.Range(1, 120).Select(i => $"- {{addresses: [10.7.0.{i}], conditions: {{ready: true}}}}"));
        await using var server = await CorefileServer.StartAsync($$"""
            cluster.local:{PORT} {
                bind 127.0.0.1
                {{directive}}
                kubernetes cluster.local {
                    manifests cluster
                }
            }
            """,
            new Dictionary<string, string>
            {
                ["cluster/big.yaml"] = $$"""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: big, namespace: default}
                    spec:
                      clusterIP: None
                      ports: [{name: http, port: 80, protocol: TCP}]
                    ---
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: big-1
                      namespace: default
                      labels: {kubernetes.io/service-name: big}
                    addressType: IPv4
                    endpoints:
                    {{endpoints}}
                    """,
            });
        await server.ClusterSyncedAsync();

        var udp = await DigClient.RunAsync(server.Port, "+ignore +bufsize=4096 big.default.svc.cluster.local A");
        Assert.Contains(" tc", udp);
        var size = int.Parse(System.Text.RegularExpressions.Regex.Match(udp, @"MSG SIZE\s+rcvd: (\d+)").Groups[1].Value);
        Assert.InRange(size, limit - 40, limit);
        Assert.Contains($"udp: {limit}", udp);
        Assert.Equal(120, (await DigClient.ShortAsync(server.Port, "+tcp big.default.svc.cluster.local A")).Length);
    }

    [Theory]
    [InlineData("bufsize 100", ":2:")]
    [InlineData("bufsize 9000", ":2:")]
    [InlineData("bufsize 1232 4096", ":2:")]
    public void Sizes_outside_512_to_4096_are_errors_with_the_line(string directive, string line)
    {
        var document = CorefileParser.Parse($".:53 {{\n{directive}\n}}\n", "Corefile");
        var error = Assert.Throws<CorefileException>(() => new ClusterDns.Server.Config.PipelineBuilder(ClusterDns.Server.Plugins.BuiltInPlugins.CreateRegistry())
            .Build(document, new ClusterDns.Server.Config.ServerBuildContext("Corefile")));
        Assert.Contains("Corefile" + line, error.Message);
    }
}
