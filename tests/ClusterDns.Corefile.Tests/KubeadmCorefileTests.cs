namespace ClusterDns.Corefile.Tests;

/// <summary>The Corefiles every kubeadm cluster ships, read as the plugins will read them.</summary>
public sealed class KubeadmCorefileTests
{
    private static CorefileDocument Load(string name) =>
        CorefileParser.ParseFile(Path.Combine(AppContext.BaseDirectory, "testdata", "golden", name), _ => null);

    [Fact]
    public void The_default_corefile_has_one_root_block_on_port_53_with_its_plugins_in_file_order()
    {
        CorefileDocument document = Load("kubeadm.Corefile");

        ServerBlock block = Assert.Single(document.ServerBlocks);
        Assert.Equal(new ZoneAddress(".", 53), Assert.Single(block.Keys));
        Assert.Equal(
            ["errors", "health", "ready", "kubernetes", "prometheus", "forward", "cache", "loop", "reload", "loadbalance"],
            block.Directives.Select(d => d.Name));

        Directive kubernetes = block.Directives[3];
        Assert.Equal(["cluster.local", "in-addr.arpa", "ip6.arpa"], kubernetes.Args.Select(a => a.Text));
        Assert.Equal(["pods insecure", "fallthrough in-addr.arpa ip6.arpa", "ttl 30"], kubernetes.Block.Select(d => d.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(5), block.Directives[1].Block[0].Args[0].ParseDuration());
        Assert.Equal(System.Net.IPEndPoint.Parse("[::]:9153"), block.Directives[4].Args[0].ParseIPEndPoint(9153));
        Assert.Equal(1000, block.Directives[5].Block[0].Args[0].ParseInt(1, int.MaxValue));
        Assert.Equal(TimeSpan.FromSeconds(30), block.Directives[6].Args[0].ParseSeconds());
        Assert.False(block.Directives[6].HasBlock);
        Assert.Empty(block.Directives[6].Block);
    }

    [Fact]
    public void The_newer_corefile_disables_caching_of_cluster_answers()
    {
        Directive cache = Load("kubeadm-cache.Corefile").ServerBlocks[0].Directives.Single(d => d.Name == "cache");

        Assert.True(cache.HasBlock);
        Assert.Equal(["disable success cluster.local", "disable denial cluster.local"], cache.Block.Select(d => d.ToString()));
        Assert.Equal([17, 18], cache.Block.Select(d => d.Line));
    }

    [Fact]
    public void The_source_text_is_the_file_byte_for_byte()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "testdata", "golden", "kubeadm.Corefile");

        Assert.Equal(File.ReadAllText(path), Load("kubeadm.Corefile").SourceText);
    }
}
