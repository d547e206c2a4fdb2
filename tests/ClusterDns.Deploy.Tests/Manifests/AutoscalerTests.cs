using System.Text.Json;
using ClusterDns.Deploy.Tests.Manifests;
using YamlDotNet.RepresentationModel;

namespace ClusterDns.Deploy.Tests;

/// <summary>
/// deploy/autoscaler, part of deploy/: the cluster-proportional autoscaler (kube-dns's kube-dns-autoscaler), which
/// must scale exactly our Deployment, alone, with only the rights that needs.
/// </summary>
public sealed class AutoscalerTests
{
    private static DeployManifests Autoscaled => DeployManifests.Base;

    private static YamlMappingNode Named(string kind, string name) => Assert.Single(Autoscaled.Objects, o => o.Kind() == kind && o.Name() == name);

    private static YamlMappingNode AutoscalerContainer =>
        (YamlMappingNode)Assert.Single(Named("Deployment", "clusterdns-autoscaler").Seq("spec", "template", "spec", "containers"));

    private static string Argument(string flag) =>
        Assert.Single(AutoscalerContainer.Texts("command"), a => a.StartsWith($"--{flag}=", StringComparison.Ordinal))[(flag.Length + 3)..];

    private static LinearParameters Linear(string json) =>
        JsonSerializer.Deserialize<LinearParameters>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true, UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow })!;

    [Fact]
    public void Deploy_holds_the_autoscaler_and_the_deployment_leaves_replicas_to_it()
    {
        Assert.Equal(
            ["ClusterRole -/system:clusterdns-autoscaler", "ClusterRoleBinding -/system:clusterdns-autoscaler",
             "ConfigMap kube-system/clusterdns-autoscaler", "Deployment kube-system/clusterdns-autoscaler",
             "Role kube-system/clusterdns-autoscaler", "RoleBinding kube-system/clusterdns-autoscaler",
             "ServiceAccount kube-system/clusterdns-autoscaler"],
            Autoscaled.Objects.Where(DeployManifests.IsAutoscaler).Select(o => o.Identity()).Order(StringComparer.Ordinal));
        // A fixed count would be reset by every re-apply, undoing what the autoscaler chose until its next poll.
        Assert.Null(Autoscaled.Deployment.Find("spec", "replicas"));
    }

    [Fact]
    public void The_autoscaler_targets_the_clusterdns_deployment_and_reads_its_own_configmap()
    {
        var deployment = Autoscaled.Deployment;
        Assert.Equal($"Deployment/{deployment.Name()}", Argument("target"));
        Assert.Equal(deployment.Text("metadata", "namespace"), Argument("namespace"));
        var configMap = Named("ConfigMap", Argument("configmap"));
        Assert.Equal(Argument("namespace"), configMap.Text("metadata", "namespace"));

        // --default-params only creates a missing ConfigMap; the two must say the same.
        var fromConfigMap = Linear(configMap.Text("data", "linear")!);
        using var defaults = JsonDocument.Parse(Argument("default-params"));
        Assert.Equal(fromConfigMap, Linear(defaults.RootElement.GetProperty("linear").GetRawText()));
    }

    [Fact]
    public void The_parameters_keep_two_replicas_and_the_budget_keeps_one_answering_through_a_drain()
    {
        var parameters = Linear(Named("ConfigMap", "clusterdns-autoscaler").Text("data", "linear")!);
        Assert.True(parameters.Min >= 2 && parameters.PreventSinglePointFailure, "a single replica is a single point of failure");
        int maxUnavailable = int.Parse(Autoscaled.Single("PodDisruptionBudget").Text("spec", "maxUnavailable")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(parameters.Min - maxUnavailable >= 1, "a drain must leave a replica answering");
    }

    /// <summary>The example table in docs/operations.md ("Replicas"), from the autoscaler's linear formula.</summary>
    [Theory]
    [InlineData(1, 4, 2)]
    [InlineData(3, 12, 2)]
    [InlineData(50, 400, 2)]
    [InlineData(100, 1600, 4)]
    [InlineData(500, 8000, 16)]
    [InlineData(1000, 64000, 125)]
    public void The_documented_replica_counts_follow_from_the_parameters(int nodes, int cores, int expected)
    {
        var p = Linear(Named("ConfigMap", "clusterdns-autoscaler").Text("data", "linear")!);
        int replicas = Math.Max((int)Math.Ceiling(cores / (double)p.CoresPerReplica), (int)Math.Ceiling(nodes / (double)p.NodesPerReplica));
        if (p.PreventSinglePointFailure && nodes > 1)
        {
            replicas = Math.Max(replicas, 2);
        }
        replicas = Math.Max(replicas, p.Min);
        Assert.Equal(expected, replicas);
    }

    [Fact]
    public void The_autoscaler_may_scale_only_clusterdns_and_read_only_its_configmap()
    {
        var clusterRules = Named("ClusterRole", "system:clusterdns-autoscaler").Seq("rules");
        Assert.Equal(
            ["/nodes list,watch *", "apps/deployments/scale get,update clusterdns"],
            clusterRules.Select(Describe).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["/configmaps create *", "/configmaps get,watch,update clusterdns-autoscaler"],
            Named("Role", "clusterdns-autoscaler").Seq("rules").Select(Describe).Order(StringComparer.Ordinal));

        string account = Named("Deployment", "clusterdns-autoscaler").Text("spec", "template", "spec", "serviceAccountName")!;
        Named("ServiceAccount", account);
        foreach (var binding in new[] { Named("ClusterRoleBinding", "system:clusterdns-autoscaler"), Named("RoleBinding", "clusterdns-autoscaler") })
        {
            var subject = Assert.Single(binding.Seq("subjects"));
            Assert.Equal(("ServiceAccount", account, "kube-system"), (subject.Text("kind"), subject.Text("name"), subject.Text("namespace")));
        }
    }

    [Fact]
    public void The_autoscaler_runs_critical_non_root_on_a_read_only_root()
    {
        var pod = Named("Deployment", "clusterdns-autoscaler").Map("spec", "template", "spec");
        Assert.Equal("system-cluster-critical", pod.Text("priorityClassName"));
        Assert.Equal("true", pod.Text("securityContext", "runAsNonRoot"));
        Assert.Equal("RuntimeDefault", pod.Text("securityContext", "seccompProfile", "type"));
        var container = AutoscalerContainer;
        Assert.Equal("true", container.Text("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", container.Text("securityContext", "allowPrivilegeEscalation"));
        Assert.Equal(["ALL"], container.Texts("securityContext", "capabilities", "drop"));
        Assert.StartsWith("registry.k8s.io/cpa/cluster-proportional-autoscaler:v", container.Text("image"));
    }

    private static string Describe(YamlNode rule) =>
        $"{Assert.Single(rule.Texts("apiGroups"))}/{Assert.Single(rule.Texts("resources"))} {string.Join(',', rule.Texts("verbs"))} " +
        (rule.Find("resourceNames") is null ? "*" : string.Join(',', rule.Texts("resourceNames")));

    private sealed record LinearParameters(int CoresPerReplica, int NodesPerReplica, int Min, bool PreventSinglePointFailure, bool IncludeUnschedulableNodes);
}
