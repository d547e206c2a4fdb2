using ClusterDns.NodeCache;

namespace ClusterDns.EndToEnd.Tests.NodeCache;

/// <summary>
/// The Corefile written to -conf from the template and the kube-dns ConfigMap folder: rewritten when either
/// changes, and a folder that does not read leaves the last good Corefile in place with an error naming the file.
/// </summary>
public sealed class NodeCacheCorefileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-nodecache-").FullName;

    private string Folder => Path.Combine(_directory, "kube-dns");

    private NodeCacheOptions Options(string? folder) => new()
    {
        LocalIPs = [System.Net.IPAddress.Parse("169.254.20.10")],
        LocalIPTexts = ["169.254.20.10"],
        BaseCorefile = Path.Combine(_directory, "Corefile.base"),
        Corefile = Path.Combine(_directory, "Corefile"),
        KubeDnsConfigFolder = folder,
    };

    public NodeCacheCorefileTests()
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Path.Combine(_directory, "Corefile.base"), CorefileTemplateTests.Template);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Written => File.ReadAllText(Path.Combine(_directory, "Corefile"));

    [Fact]
    public void A_change_to_the_folder_or_the_template_rewrites_the_corefile()
    {
        var corefile = new NodeCacheCorefile(Options(Folder), "10.0.0.10");
        Assert.Null(corefile.Update());
        Assert.DoesNotContain("acme.local", Written);

        File.WriteAllText(Path.Combine(Folder, "stubDomains"), """{"acme.local": ["1.1.1.1"]}""");
        Assert.Null(corefile.Update());
        Assert.Contains("acme.local:53 {", Written);

        File.WriteAllText(Path.Combine(_directory, "Corefile.base"), CorefileTemplateTests.Template.Replace("loop", "template", StringComparison.Ordinal));
        Assert.Null(corefile.Update());
        Assert.DoesNotContain("loop", Written);
        Assert.Contains("acme.local:53 {", Written);
    }

    [Fact]
    public void Malformed_stub_domains_keep_the_last_good_corefile_and_name_the_file_once()
    {
        File.WriteAllText(Path.Combine(Folder, "stubDomains"), """{"acme.local": ["1.1.1.1"]}""");
        var corefile = new NodeCacheCorefile(Options(Folder), "10.0.0.10");
        Assert.Null(corefile.Update());
        string good = Written;

        File.WriteAllText(Path.Combine(Folder, "stubDomains"), """{"acme.local": ["1.1.1.1"]""");
        string? error = corefile.Update();

        Assert.StartsWith(Path.Combine(Folder, "stubDomains") + ": not JSON", error);
        Assert.Equal(good, Written);
        // Reported once, not at every poll.
        Assert.Null(corefile.Update());
    }

    [Fact]
    public void Malformed_stub_domains_at_start_render_the_template_alone_and_say_why()
    {
        File.WriteAllText(Path.Combine(Folder, "stubDomains"), "[\"1.1.1.1\"]");
        var corefile = new NodeCacheCorefile(Options(Folder), "10.0.0.10");

        string? error = corefile.Update();

        Assert.StartsWith(Path.Combine(Folder, "stubDomains") + ": expected a JSON object", error);
        Assert.Contains("forward . 10.0.0.10", Written);
    }

    [Fact]
    public void A_hostname_nameserver_is_refused_as_node_caches_forward_check_refuses_it()
    {
        File.WriteAllText(Path.Combine(Folder, "upstreamNameservers"), """["google-public-dns-a.google.com"]""");
        var corefile = new NodeCacheCorefile(Options(Folder), "10.0.0.10");

        Assert.StartsWith(Path.Combine(Folder, "upstreamNameservers") + ":", corefile.Update());
    }

    [Fact]
    public void Other_files_of_the_configmap_are_ignored()
    {
        File.WriteAllText(Path.Combine(Folder, "federations"), """{"myfed": "example.com"}""");
        File.WriteAllText(Path.Combine(Folder, "upstreamNameservers"), """["8.8.8.8"]""");
        var corefile = new NodeCacheCorefile(Options(Folder), "10.0.0.10");

        Assert.Null(corefile.Update());
        Assert.Contains("forward . 8.8.8.8\n", Written);
    }

    [Fact]
    public void Prepare_names_the_flag_at_fault()
    {
        var options = Options(null) with { SetupIptables = false };
        Func<string, string?> noEnvironment = _ => null;

        Assert.StartsWith("-upstreamsvc: KUBE_DNS_SERVICE_HOST is not set to an IP address",
            NodeCacheCommand.Prepare(options, noEnvironment, out _, out _, out _));
        Assert.StartsWith("-basecorefile: cannot read",
            NodeCacheCommand.Prepare(options with { BaseCorefile = Path.Combine(_directory, "missing") }, noEnvironment, out _, out _, out _));
        Assert.StartsWith("-setupiptables: iptables is not installed",
            NodeCacheCommand.Prepare(options with { SetupIptables = true }, v => v == "PATH" ? _directory : "10.0.0.10", out _, out _, out _));
        Assert.Null(NodeCacheCommand.Prepare(options, v => v == "KUBE_DNS_SERVICE_HOST" ? "10.0.0.10" : null, out _, out _, out _));
        Assert.Contains("forward . 10.0.0.10", Written);
    }
}
