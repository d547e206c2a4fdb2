using ClusterDns.Deploy.Tests.Manifests;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Deploy.Tests;

/// <summary>
/// `kubectl kustomize deploy` must render, and render the objects the other tests check (they use the tests' own
/// renderer). Needs kubectl (Debian: kubernetes-client); without it this test fails and says so.
/// </summary>
public sealed class KubectlKustomizeTests
{
    [Theory]
    [InlineData("")]
    [InlineData("overlays/replace-coredns")]
    [InlineData("autoscaler")]
    [InlineData("node-local")]
    public async Task Kubectl_kustomize_renders_the_same_objects_as_the_tests_renderer(string folder)
    {
        string directory = Path.Combine(Repository.Deploy, folder);
        Assert.True(ProcessRunner.IsInstalled("kubectl"), "kubectl is not installed: install it (Debian package kubernetes-client) to check that `kubectl kustomize deploy` renders");

        var result = await ProcessRunner.RunAsync("kubectl", ["kustomize", directory], timeout: TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"kubectl kustomize {directory} failed: {result}");

        var fromKubectl = Yaml.LoadDocuments(result.Output, "kubectl kustomize").ToDictionary(o => o.Identity(), o => o.Canonical());
        var ours = KustomizationRenderer.Render(directory).ToDictionary(o => o.Identity(), o => o.Canonical());
        Assert.Equal(ours.Keys.Order(StringComparer.Ordinal), fromKubectl.Keys.Order(StringComparer.Ordinal));
        foreach (var (identity, canonical) in ours)
        {
            Assert.True(canonical == fromKubectl[identity], $"{identity} differs:\nkubectl: {fromKubectl[identity]}\nours:    {canonical}");
        }
    }
}
