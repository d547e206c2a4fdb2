using ClusterDns.Deploy.Tests.Manifests;
using YamlDotNet.RepresentationModel;

namespace ClusterDns.Deploy.Tests;

/// <summary>deploy/ rendered and checked against what a kube-dns/CoreDNS replacement must be.</summary>
public sealed class ManifestTests
{
    private static DeployManifests Deploy => DeployManifests.Base;

    [Fact]
    public void The_kustomization_renders_exactly_the_objects_of_a_cluster_dns()
    {
        Assert.Equal(
            [
                "ClusterRole -/system:clusterdns",
                "ClusterRoleBinding -/system:clusterdns",
                "ConfigMap kube-system/clusterdns",
                "Deployment kube-system/clusterdns",
                "PodDisruptionBudget kube-system/clusterdns",
                "Service kube-system/kube-dns",
                "ServiceAccount kube-system/clusterdns",
            ],
            Deploy.Objects.Where(o => !DeployManifests.IsAutoscaler(o)).Select(o => o.Identity()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_cluster_role_grants_only_list_and_watch_on_what_the_server_reads()
    {
        var role = Deploy.Single("ClusterRole");
        var granted = role.Seq("rules")
            .SelectMany(rule =>
            {
                Assert.Equal(["list", "watch"], rule.Texts("verbs").Order(StringComparer.Ordinal));
                Assert.Null(rule.Find("resourceNames"));
                Assert.Null(rule.Find("nonResourceURLs"));
                return rule.Texts("apiGroups").SelectMany(group => rule.Texts("resources").Select(resource => $"{group}/{resource}"));
            })
            .Order(StringComparer.Ordinal);
        // pods: only `pods verified` and `endpoint_pod_names` read them (docs/kubernetes-client.md); serviceimports
        // only `multicluster` (docs/configuration.md).
        Assert.Equal(["/namespaces", "/pods", "/services", "discovery.k8s.io/endpointslices", "multicluster.x-k8s.io/serviceimports"], granted);
        Assert.DoesNotContain(Deploy.Objects, o => o.Kind() is "Role" or "RoleBinding" && !DeployManifests.IsAutoscaler(o));
    }

    [Fact]
    public void The_binding_gives_that_role_to_the_deployments_service_account()
    {
        var binding = Deploy.Single("ClusterRoleBinding");
        var account = Deploy.Single("ServiceAccount");
        Assert.Equal(Deploy.Single("ClusterRole").Name(), binding.Text("roleRef", "name"));
        Assert.Equal("ClusterRole", binding.Text("roleRef", "kind"));
        var subject = Assert.Single(binding.Seq("subjects"));
        Assert.Equal(("ServiceAccount", account.Name(), "kube-system"), (subject.Text("kind"), subject.Text("name"), subject.Text("namespace")));
        Assert.Equal(account.Name(), Deploy.Deployment.Text("spec", "template", "spec", "serviceAccountName"));
    }

    [Fact]
    public void The_service_is_kube_dns_at_10_96_0_10_and_selects_the_pods()
    {
        var service = Deploy.Single("Service");
        Assert.Equal(("kube-dns", "kube-system"), (service.Name(), service.Text("metadata", "namespace")));
        Assert.Equal("kube-dns", service.StringMap("metadata", "labels")["k8s-app"]);
        Assert.Equal("10.96.0.10", service.Text("spec", "clusterIP"));
        Assert.Equal(
            ["dns 53/UDP->53", "dns-tcp 53/TCP->53", $"metrics {Deploy.ListenPort("prometheus", 9153)}/TCP->{Deploy.ListenPort("prometheus", 9153)}"],
            service.Seq("spec", "ports").Select(p => $"{p.Text("name")} {p.Text("port")}/{p.Text("protocol")}->{p.Text("targetPort")}"));
        Assert.Equal(Deploy.ListenPort("prometheus", 9153).ToString(System.Globalization.CultureInfo.InvariantCulture), service.StringMap("metadata", "annotations")["prometheus.io/port"]);

        var selector = service.StringMap("spec", "selector");
        Assert.Equal(new Dictionary<string, string> { ["k8s-app"] = "kube-dns" }, selector);
        var podLabels = Deploy.Deployment.StringMap("spec", "template", "metadata", "labels");
        Assert.All(selector, pair => Assert.Equal(pair.Value, podLabels.GetValueOrDefault(pair.Key)));
    }

    [Fact]
    public void The_probes_point_at_the_ports_the_corefile_opens()
    {
        var container = Deploy.Container;
        Assert.Equal(("/health", Deploy.ListenPort("health", 8080).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (container.Text("livenessProbe", "httpGet", "path"), container.Text("livenessProbe", "httpGet", "port")));
        Assert.Equal(("/ready", Deploy.ListenPort("ready", 8181).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (container.Text("readinessProbe", "httpGet", "path"), container.Text("readinessProbe", "httpGet", "port")));
        // kubeadm's liveness timing: a slow start is not a dead server.
        Assert.Equal(("60", "5", "5"), (container.Text("livenessProbe", "initialDelaySeconds"), container.Text("livenessProbe", "timeoutSeconds"), container.Text("livenessProbe", "failureThreshold")));

        var declared = container.Seq("ports").Select(p => $"{p.Text("containerPort")}/{p.Text("protocol")}").ToHashSet();
        foreach (string port in new[] { "53/UDP", "53/TCP", "9153/TCP", "8080/TCP", "8181/TCP" })
        {
            Assert.Contains(port, declared);
        }
    }

    [Fact]
    public void The_deployment_runs_the_configmaps_corefile_with_corednss_arguments()
    {
        var container = Deploy.Container;
        Assert.Equal(["-conf", "/etc/coredns/Corefile"], container.Texts("args"));
        Assert.Equal("registry.example.internal/clusterdns:0.1.0", container.Text("image"));

        var mount = Assert.Single(container.Seq("volumeMounts"), m => m.Text("mountPath") == "/etc/coredns");
        Assert.Equal("true", mount.Text("readOnly"));
        var volume = Assert.Single(Deploy.Deployment.Seq("spec", "template", "spec", "volumes"), v => v.Text("name") == mount.Text("name"));
        Assert.Equal(Deploy.Single("ConfigMap").Name(), volume.Text("configMap", "name"));
        var item = Assert.Single(volume.Seq("configMap", "items"));
        Assert.Equal(("Corefile", "Corefile"), (item.Text("key"), item.Text("path")));
    }

    [Fact]
    public void The_deployment_is_highly_available_and_critical()
    {
        var deployment = Deploy.Deployment;
        var pod = deployment.Map("spec", "template", "spec");
        // The autoscaler owns the replica count (AutoscalerTests: at least 2).
        Assert.Null(deployment.Find("spec", "replicas"));
        Assert.Equal("system-cluster-critical", pod.Text("priorityClassName"));
        Assert.Equal("Default", pod.Text("dnsPolicy"));
        Assert.Contains(pod.Seq("tolerations"), t => t.Text("key") == "CriticalAddonsOnly" && t.Text("operator") == "Exists");

        var term = Assert.Single(pod.Seq("affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"));
        Assert.Equal("kubernetes.io/hostname", term.Text("podAffinityTerm", "topologyKey"));
        var podLabels = deployment.StringMap("spec", "template", "metadata", "labels");
        Assert.All(term.StringMap("podAffinityTerm", "labelSelector", "matchLabels"), pair => Assert.Equal(pair.Value, podLabels.GetValueOrDefault(pair.Key)));

        var selector = deployment.StringMap("spec", "selector", "matchLabels");
        Assert.All(selector, pair => Assert.Equal(pair.Value, podLabels.GetValueOrDefault(pair.Key)));
        // Its own selector: k8s-app: kube-dns alone would also match the old kube-dns/coredns pods.
        Assert.DoesNotContain("k8s-app", selector.Keys);

        var budget = Deploy.Single("PodDisruptionBudget");
        Assert.Equal(selector, budget.StringMap("spec", "selector", "matchLabels"));
        Assert.Equal("1", budget.Text("spec", "maxUnavailable"));

        var resources = Deploy.Container.Map("resources");
        Assert.Equal(("100m", "70Mi", "170Mi"), (resources.Text("requests", "cpu"), resources.Text("requests", "memory"), resources.Text("limits", "memory")));
    }

    [Fact]
    public void The_server_knows_its_pod_ip_so_lameduck_can_wait_for_its_endpoint_to_leave()
    {
        var variable = Assert.Single(Deploy.Container.Seq("env"), e => e.Text("name") == "POD_IP");
        Assert.Equal("status.podIP", variable.Text("valueFrom", "fieldRef", "fieldPath"));
    }

    [Fact]
    public void The_server_runs_non_root_with_only_net_bind_service_on_a_read_only_root()
    {
        var pod = Deploy.Deployment.Map("spec", "template", "spec");
        Assert.Equal("true", pod.Text("securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", pod.Text("securityContext", "runAsUser"));
        // Lets a non-root process without file capabilities bind :53 (docs/operations.md, "Port 53 without root").
        var sysctl = Assert.Single(pod.Seq("securityContext", "sysctls"));
        Assert.Equal(("net.ipv4.ip_unprivileged_port_start", "53"), (sysctl.Text("name"), sysctl.Text("value")));

        var security = Deploy.Container.Map("securityContext");
        Assert.Equal("false", security.Text("allowPrivilegeEscalation"));
        Assert.Equal("true", security.Text("readOnlyRootFilesystem"));
        Assert.Equal(["ALL"], security.Texts("capabilities", "drop"));
        // The image's executable carries NET_BIND_SERVICE as a file capability: without it in the container's
        // set the kernel would refuse to start it.
        Assert.Equal(["NET_BIND_SERVICE"], security.Texts("capabilities", "add"));
        Assert.NotEqual("true", security.Text("privileged"));
    }

    [Fact]
    public void The_replace_coredns_overlay_changes_only_the_image_of_the_existing_deployment()
    {
        var objects = KustomizationRenderer.Render(Path.Combine(Repository.Deploy, "overlays", "replace-coredns"));
        var deployment = Assert.Single(objects);
        Assert.Equal("Deployment kube-system/coredns", deployment.Identity());
        // Same ConfigMap, Service and RBAC: the overlay brings none of its own, and keeps kubeadm's args and volumes.
        var pod = deployment.Map("spec", "template", "spec");
        var container = (YamlMappingNode)Assert.Single(pod.Seq("containers"));
        Assert.Equal("coredns", container.Text("name"));
        Assert.Equal(Deploy.Container.Text("image"), container.Text("image"));
        Assert.Null(container.Find("args"));
        Assert.DoesNotContain(pod.Seq("volumes"), v => v.Text("name") == "config-volume");
        // The same user and port-53 sysctl as the base Deployment (seccomp is kubeadm's own business there).
        Assert.Equal(WithoutSeccomp(Deploy.Deployment.Map("spec", "template", "spec", "securityContext")), pod.Map("securityContext").Canonical());
    }

    private static string WithoutSeccomp(YamlMappingNode securityContext)
    {
        var copy = new YamlMappingNode(securityContext.Children.Where(p => ((YamlScalarNode)p.Key).Value != "seccompProfile"));
        return copy.Canonical();
    }
}
