using System.CommandLine;
using ClusterDns.Corefile;
using ClusterDns.Deploy.Tests.Manifests;
using ClusterDns.Server.Plugins;

namespace ClusterDns.Deploy.Tests;

/// <summary><c>clusterdns corefile --from-kube-dns</c>, driven through the real command line.</summary>
public sealed class KubeDnsMigrationTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = ClusterDns.CommandLine.Build().Parse(arguments).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static string KubeDns(string file) => Repository.TestData("kube-dns", file);

    [Fact]
    public void A_kube_dns_configmap_with_defaults_becomes_kubeadms_corefile_byte_for_byte()
    {
        var (exitCode, output, error) = Run("corefile", "--from-kube-dns", KubeDns("defaults.yaml"));
        Assert.True(exitCode == 0, error);
        Assert.Equal(DeployManifests.Base.CorefileText, output);
    }

    [Fact]
    public void Stub_domains_become_server_blocks_and_upstreams_replace_resolv_conf()
    {
        var (exitCode, output, error) = Run("corefile", "--from-kube-dns", KubeDns("stub-domains-and-upstreams.yaml"));
        Assert.True(exitCode == 0, error);
        Assert.Equal(File.ReadAllText(KubeDns("stub-domains-and-upstreams.Corefile")), output);
    }

    [Fact]
    public void The_cluster_domain_option_renames_the_kubernetes_zone_and_the_cache_exceptions()
    {
        var (exitCode, output, _) = Run("corefile", "--from-kube-dns", KubeDns("defaults.yaml"), "--cluster-domain", "Corp.Example.");
        Assert.Equal(0, exitCode);
        Assert.Equal(DeployManifests.Base.CorefileText.Replace("cluster.local", "corp.example", StringComparison.Ordinal), output);
    }

    [Theory]
    [InlineData("defaults.yaml")]
    [InlineData("stub-domains-and-upstreams.yaml")]
    public void The_translation_uses_only_directives_the_server_implements(string file)
    {
        var (_, output, _) = Run("corefile", "--from-kube-dns", KubeDns(file));
        var document = CorefileParser.Parse(output, "translated");
        var known = BuiltInPlugins.All.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var missing = document.ServerBlocks.SelectMany(b => b.Directives).Select(d => d.Name).Where(n => !known.Contains(n)).Distinct().ToList();
        Assert.True(missing.Count == 0, $"not implemented yet: {string.Join(", ", missing)}");
    }

    public static TheoryData<string, string> Untranslatable => new()
    {
        { "federations.yaml", "federations: kube-dns federation has no equivalent" },
        { "upstream-name.yaml", "upstreamNameservers: \"dns.google\" is not a nameserver address" },
        { "too-many-upstreams.yaml", "upstreamNameservers: 4 servers; kube-dns accepts at most 3" },
        { "stub-in-cluster-domain.yaml", "stubDomains[\"svc.cluster.local\"]: lies in the cluster domain cluster.local" },
        { "stub-without-servers.yaml", "stubDomains[\"acme.local\"]: expected a non-empty JSON array" },
        { "stub-not-json.yaml", "stubDomains: not JSON" },
        { "stub-bad-name.yaml", "stubDomains[\"acme..local\"]:" },
        { "unknown-key.yaml", "stubdomains: not a kube-dns setting" },
        { "not-a-configmap.yaml", "expected kind: ConfigMap, found kind: Secret" },
        { "not-yaml.yaml", "not YAML: line" },
    };

    [Theory]
    [MemberData(nameof(Untranslatable))]
    public void What_cannot_be_translated_is_a_clear_error_and_no_corefile(string file, string message)
    {
        var (exitCode, output, error) = Run("corefile", "--from-kube-dns", KubeDns(file));
        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith(KubeDns(file) + ": ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--from-kube-dns", "/nonexistent/kube-dns.yaml", "cannot read")]
    [InlineData("--cluster-domain", "bad/domain", "--cluster-domain: 'bad/domain' is not a domain name")]
    public void Bad_arguments_exit_2_with_the_reason(string option, string value, string message)
    {
        string[] arguments = option == "--from-kube-dns"
            ? ["corefile", option, value]
            : ["corefile", "--from-kube-dns", KubeDns("defaults.yaml"), option, value];
        var (exitCode, output, error) = Run(arguments);
        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_source_the_command_says_what_it_needs()
    {
        var (exitCode, _, error) = Run("corefile");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("--from-kube-dns", error, StringComparison.Ordinal);
    }
}
