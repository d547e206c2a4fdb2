using System.Globalization;
using System.Text.RegularExpressions;
using ClusterDns.Deploy.Tests.Manifests;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Deploy.Tests;

/// <summary>
/// The ConfigMap's Corefile, unchanged but for `manifests` standing in for the API server and a free port for 53,
/// starts the real server, which answers DNS and serves the endpoints the probes and Prometheus use.
/// The health (8080), ready (8181) and metrics (9153) ports stay as the ConfigMap has them: they are what the
/// Deployment's probes and the Service point at.
/// </summary>
public sealed class ConfigMapCorefileTests
{
    [Theory]
    [InlineData("deploy/configmap.yaml")]
    [InlineData("kubeadm/classic.Corefile")] // kubeadm's default before the cache block named the cluster domain
    public async Task The_kubeadm_corefile_starts_the_real_server_which_answers_and_serves_probes_and_metrics(string source)
    {
        var deploy = DeployManifests.Base;
        string text = source == "deploy/configmap.yaml" ? deploy.CorefileText : File.ReadAllText(Repository.TestData(source.Split('/')));
        int port = FreePorts.Loopback();
        string corefile = ForLoopback(text, port, Repository.PathOf("zones", "demo-cluster"));

        await using var server = ServerProcess.Start(corefile, port: port);
        // SERVFAIL until the manifests are read: wait for the Service's address.
        await server.DigUntilAsync("web-service.default.svc.cluster.local A", o => o.Contains("10.96.100.10", StringComparison.Ordinal));
        string tcp = await server.DigUntilAsync("+tcp headless-service.default.svc.cluster.local A", o => o.Contains("status: NOERROR", StringComparison.Ordinal));
        Assert.Contains("10.244.2.21", tcp, StringComparison.Ordinal);
        await server.DigUntilAsync("nothing.default.svc.cluster.local A", o => o.Contains("status: NXDOMAIN", StringComparison.Ordinal));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var container = deploy.Container;
        string liveness = $"http://127.0.0.1:{container.Text("livenessProbe", "httpGet", "port")}{container.Text("livenessProbe", "httpGet", "path")}";
        var health = await http.GetAsync(liveness);
        Assert.True(health.IsSuccessStatusCode, $"{liveness}: {(int)health.StatusCode}\n{server.Output}");

        string readiness = $"http://127.0.0.1:{container.Text("readinessProbe", "httpGet", "port")}{container.Text("readinessProbe", "httpGet", "path")}";
        var ready = await http.GetAsync(readiness);
        Assert.True(ready.IsSuccessStatusCode, $"{readiness}: {(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}\n{server.Output}");

        int metricsPort = deploy.ListenPort("prometheus", 9153);
        string metrics = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
        Assert.Contains("coredns_dns_requests_total", metrics, StringComparison.Ordinal);
    }

    /// <summary>The only changes: `manifests DIR` first in the kubernetes block, and the free port for 53.</summary>
    internal static string ForLoopback(string corefile, int port, string manifests)
    {
        var kubernetes = new Regex(@"^(?<indent>[ \t]*)kubernetes [^\n{]*\{\n", RegexOptions.Multiline);
        var match = kubernetes.Match(corefile);
        Assert.True(match.Success, "the Corefile has no kubernetes block");
        string inner = match.Groups["indent"].Value + "   ";
        string withManifests = corefile.Insert(match.Index + match.Length, $"{inner}manifests {manifests}\n");
        string rewritten = Regex.Replace(withManifests, @"^(\S+):53 \{", m => $"{m.Groups[1].Value}:{port.ToString(CultureInfo.InvariantCulture)} {{", RegexOptions.Multiline);
        Assert.NotEqual(withManifests, rewritten);
        return rewritten;
    }
}
