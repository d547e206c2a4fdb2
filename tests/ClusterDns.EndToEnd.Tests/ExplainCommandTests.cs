using System.Globalization;
using ClusterDns.Testing.Files;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary><c>clusterdns explain</c>, the real executable asking another one's health port about the demo cluster.</summary>
public sealed class ExplainCommandTests : IAsyncLifetime
{
    private readonly int _healthPort = FreePorts.Loopback();
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        var corefile = """
            cluster.local:{PORT} in-addr.arpa:{PORT} {
                bind 127.0.0.1
                health 127.0.0.1:HEALTH
                kubernetes cluster.local in-addr.arpa {
                    manifests demo-cluster
                }
            }
            """.Replace("HEALTH", _healthPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        _server = ServerProcess.Start(corefile, dir => RepositoryPaths.CopyDirectory(RepositoryPaths.DemoCluster, Path.Combine(dir, "demo-cluster")));
        await _server.WaitUntilAnsweringAsync("web-service.default.svc.cluster.local", "A");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Explain_prints_the_answer_and_the_objects_with_their_versions()
    {
        var result = await ExplainAsync("headless-service.default.svc.cluster.local", "A", $"127.0.0.1:{_healthPort}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("answer: NOERROR (authoritative)", result.Output);
        Assert.Matches(@"headless-service\.default\.svc\.cluster\.local\.\s+\d+\s+IN\s+A\s+10\.244\.1\.20", result.Output);
        // The versions are the manifests' metadata.resourceVersion (demo-cluster/default.yaml).
        Assert.Contains("Service default/headless-service  resourceVersion 50", result.Output);
        Assert.Matches(@"EndpointSlice default/headless-service-\w+  resourceVersion 51  received \d{4}-\d\d-\d\dT", result.Output);
        Assert.Contains("watch Service: no watch (manifests)", result.Output);
    }

    [Fact]
    public async Task Json_prints_the_servers_document()
    {
        var result = await ExplainAsync("10.100.96.10.in-addr.arpa", "PTR", $"http://127.0.0.1:{_healthPort}", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = System.Text.Json.JsonDocument.Parse(result.Output);
        var service = document.RootElement.GetProperty("sources")[0].GetProperty("objects")[0];
        Assert.Equal("default/web-service", service.GetProperty("key").GetString());
    }

    [Fact]
    public async Task A_server_that_does_not_answer_is_exit_code_1_and_says_where()
    {
        int closed = FreePorts.Loopback();
        var result = await ExplainAsync("web-service.default.svc.cluster.local", "A", $"127.0.0.1:{closed}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"127.0.0.1:{closed}/explain", result.Error);
    }

    private static Task<ProcessResult> ExplainAsync(string name, string type, string server, params string[] more) =>
        ClusterDnsExecutable.RunAsync(["explain", name, type, "--server", server, .. more]);
}
