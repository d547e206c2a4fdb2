using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins.Autopath;

namespace ClusterDns.Server.Tests.Plugins.Autopath;

/// <summary>Restates coredns/coredns plugin/autopath/setup_test.go (TestSetupAutoPath), plus our stricter cases.</summary>
public sealed class AutopathSetupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-autopath-").FullName;

    public AutopathSetupTests()
    {
        File.WriteAllText(Path.Combine(_directory, "resolv.conf"), "nameserver 1.2.3.4\ndomain foo.com\nsearch bar.com baz.com\noptions ndots:5\n");
        File.WriteAllText(Path.Combine(_directory, "host-resolv.conf"), "search custom. Other.Example\n");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ServerBlockBuilder Block(string body)
    {
        var corefile = Path.Combine(_directory, "Corefile");
        var document = CorefileParser.Parse("cluster.local {\n" + body + "\n}\n", corefile);
        var block = document.ServerBlocks[0];
        return new ServerBlockBuilder(block, [DnsName.Parse("cluster.local.")], 53, new ServerBuildContext(corefile));
    }

    private AutopathOptions Parse(string body)
    {
        var block = Block(body);
        var directive = block.Source.Directives.First(d => d.Name == "autopath");
        return AutopathSetup.Parse(directive, block, Path.Combine(_directory, "host-resolv.conf"));
    }

    public static TheoryData<string, string[], string?, string[]> ValidCases => new()
    {
        // Corefile lines → zones, plugin, search list
        { "autopath @kubernetes\nkubernetes", ["cluster.local."], "kubernetes", ["custom.", "other.example."] },
        { "autopath example.org @kubernetes\nkubernetes", ["example.org."], "kubernetes", ["custom.", "other.example."] },
        { "autopath 10.0.0.0/31 @kubernetes\nkubernetes", ["0.0.0.10.in-addr.arpa.", "1.0.0.10.in-addr.arpa."], "kubernetes", ["custom.", "other.example."] },
        // resolv.conf(5): the last of domain and search wins.
        { "autopath resolv.conf", ["cluster.local."], null, ["bar.com.", "baz.com."] },
    };

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Valid_lines_give_these_options(string body, string[] zones, string? plugin, string[] search)
    {
        var options = Parse(body);

        Assert.Equal(zones, options.Zones.Select(z => z.ToString()));
        Assert.Equal(plugin, options.Plugin);
        Assert.Equal(search, options.Search.Select(z => z.ToString()));
    }

    public static TheoryData<string, int, string> InvalidCases => new()
    {
        // Corefile body → line (the block starts on line 1), part of the reason
        { "autopath kubernetes", 2, "cannot read resolv.conf" },
        { "autopath", 2, "no resolv-conf specified" },
        { "autopath @etcd\nkubernetes", 2, "only @kubernetes" },
        { "autopath @kubernetes", 2, "needs a 'kubernetes' directive in the same server block" },
        { "autopath @kubernetes {\n}\nkubernetes", 2, "does not take a block" },
        { "kubernetes\nautopath a..b @kubernetes", 3, "a..b" },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Invalid_lines_are_startup_errors_with_file_and_line(string body, int line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse(body));

        Assert.Equal(line, error.Line);
        Assert.EndsWith("Corefile", error.File);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_second_autopath_in_one_block_is_an_error()
    {
        var block = Block("kubernetes\nautopath @kubernetes\nautopath @kubernetes");
        var setup = new AutopathSetup(Path.Combine(_directory, "host-resolv.conf"));
        setup.Setup(block.Source.Directives[1], block);

        var error = Assert.Throws<CorefileException>(() => setup.Setup(block.Source.Directives[2], block));

        Assert.Equal(4, error.Line);
    }
}
