using ClusterDns.NodeCache;

namespace ClusterDns.Deploy.Tests.Manifests;

/// <summary>
/// deploy/node-local: NodeLocal DNSCache's objects (kubernetes/kubernetes cluster/addons/dns/nodelocaldns) with
/// <c>clusterdns node-cache</c> in the DaemonSet; its arguments parse as node-cache's, and its Corefile, filled as
/// node-cache fills it, loads in ClusterDns.
/// </summary>
public sealed class NodeLocalManifestTests
{
    private static readonly List<YamlDotNet.RepresentationModel.YamlMappingNode> Objects =
        KustomizationRenderer.Render(Path.Combine(Repository.Deploy, "node-local"));

    private static YamlDotNet.RepresentationModel.YamlMappingNode Single(string kind, string name) =>
        Assert.Single(Objects, o => o.Kind() == kind && o.Name() == name);

    private static YamlDotNet.RepresentationModel.YamlMappingNode Container =>
        (YamlDotNet.RepresentationModel.YamlMappingNode)Assert.Single(Single("DaemonSet", "node-local-dns").Seq("spec", "template", "spec", "containers"));

    [Fact]
    public void The_kustomization_renders_node_local_dnss_objects_in_kube_system()
    {
        Assert.Equal(
            ["ConfigMap kube-system/node-local-dns", "DaemonSet kube-system/node-local-dns", "Service kube-system/kube-dns-upstream",
             "Service kube-system/node-local-dns", "ServiceAccount kube-system/node-local-dns"],
            Objects.Select(o => o.Identity()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_daemonset_runs_clusterdns_node_cache_on_the_host_network_with_net_admin()
    {
        var spec = Single("DaemonSet", "node-local-dns").Map("spec", "template", "spec");
        Assert.Equal("true", spec.Text("hostNetwork"));
        Assert.Equal("Default", spec.Text("dnsPolicy"));
        Assert.Equal("node-local-dns", spec.Text("serviceAccountName"));
        Assert.StartsWith("registry.example.internal/clusterdns-node-cache:", Container.Text("image"), StringComparison.Ordinal);
        Assert.Equal(["dotnet", "/app/clusterdns.dll", "node-cache"], Container.Texts("command"));
        Assert.Equal(["NET_ADMIN"], Container.Texts("securityContext", "capabilities", "add"));
        Assert.Equal("169.254.20.10", Container.Text("livenessProbe", "httpGet", "host"));
    }

    [Fact]
    public void The_daemonsets_arguments_are_node_caches_and_parse()
    {
        var args = Container.Texts("args");

        Assert.True(NodeCacheFlags.TryParse(args, out var options, out string? error, out _), error);
        Assert.Equal(["169.254.20.10", "10.96.0.10"], options.LocalIPTexts);
        Assert.Equal("kube-dns-upstream", options.UpstreamService);
        Assert.Equal("/etc/Corefile", options.Corefile);
        // The ConfigMap is mounted where node-cache's default -basecorefile and -kubednscm look.
        var mounts = Container.Seq("volumeMounts").Select(m => m.Text("mountPath")).ToArray();
        Assert.Contains(Path.GetDirectoryName(options.BaseCorefile), mounts);
        Assert.Contains(NodeCacheFlags.DefaultKubeDnsConfigFolder, mounts);
    }

    [Fact]
    public void The_upstream_service_selects_the_central_replicas()
    {
        var service = Single("Service", "kube-dns-upstream");

        Assert.Equal(new Dictionary<string, string> { ["k8s-app"] = "kube-dns" }, service.StringMap("spec", "selector"));
        Assert.Equal(["UDP", "TCP"], service.Seq("spec", "ports").Select(p => p.Text("protocol")!));
        Assert.Equal("KUBE_DNS_UPSTREAM_SERVICE_HOST", CorefileTemplate.ServiceHostVariable(service.Name()));
    }

    [Fact]
    public void The_corefile_leaves_node_caches_two_placeholders_and_loads_once_they_are_filled()
    {
        string template = Single("ConfigMap", "node-local-dns").Text("data", "Corefile")!;
        Assert.Equal(["__PILLAR__CLUSTER__DNS__", "__PILLAR__UPSTREAM__SERVERS__"],
            System.Text.RegularExpressions.Regex.Matches(template, "__PILLAR__[A-Z_]+?__(?=[^A-Z_]|$)").Select(m => m.Value).Distinct().Order(StringComparer.Ordinal));

        Assert.True(NodeCacheFlags.TryParse(Container.Texts("args"), out var options, out _, out _));
        string corefile = CorefileTemplate.Render(template, new ClusterDns.Migration.KubeDnsConfig([], []), options, "10.96.0.11");

        Assert.DoesNotContain("__PILLAR__", corefile, StringComparison.Ordinal);
        // Built as the server builds it at start (every directive and option checked), without listening.
        string path = Path.Combine(Directory.CreateTempSubdirectory("clusterdns-node-local-").FullName, "Corefile");
        File.WriteAllText(path, corefile);
        try
        {
            var pipeline = new ClusterDns.Server.Hosting.CorefileLoader(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).Load(path);
            Assert.NotNull(pipeline);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
