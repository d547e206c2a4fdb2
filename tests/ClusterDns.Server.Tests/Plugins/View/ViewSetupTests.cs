using ClusterDns.Corefile;
using ClusterDns.Server.Plugins.View;
using ClusterDns.Server.Tests.Plugins.FilePlugin;

namespace ClusterDns.Server.Tests.Plugins.View;

/// <summary>CoreDNS's view setup cases (setup_test.go and setup.go's rules), restated for <c>view NAME { expr … }</c>.</summary>
public class ViewSetupTests
{
    private const string CorefilePath = "/etc/coredns/Corefile";

    [Theory]
    [InlineData("view example {\n expr name() == 'example.com.'\n}", "example", 1)]
    [InlineData("view example {\n expr incidr(client_ip(), '10.0.0.0/24')\n}", "example", 1)]
    [InlineData("view example {\n expr name() == 'example.com.'\n expr name() == 'example2.com.'\n}", "example", 2)]
    [InlineData("view example {\n expr type() in ['A', 'AAAA']\n}", "example", 1)]
    [InlineData("view example {\n expr name() matches '^abc\\\\..*\\\\.example\\\\.com\\\\.$'\n}", "example", 1)]
    [InlineData("view all", "all", 0)]
    [InlineData("view all {\n}", "all", 0)]
    public void Accepted(string directive, string name, int expressions)
    {
        var block = PluginSetupHarness.Setup(new ViewSetup(), ". {\n" + directive + "\n}\n", CorefilePath);

        var view = Assert.IsType<QueryView>(block.View);
        Assert.Equal(name, view.ViewName);
        Assert.Equal(expressions, view.Expressions.Count);
        Assert.Empty(block.Handlers);
        Assert.Contains(block.MetadataProviders, p => p.Label == "view/name");
    }

    [Theory]
    [InlineData("view", 2, "takes one argument")]
    [InlineData("view a b {\n expr true\n}", 2, "takes one argument")]
    [InlineData("view a {\n  expr invalid expression\n}", 3, "unknown name 'invalid'")]
    [InlineData("view a {\n  expr nosuch()\n}", 3, "unknown function nosuch()")]
    [InlineData("view a {\n  expr\n}", 3, "needs an expression")]
    [InlineData("view a {\n  filter true\n}", 3, "unknown property 'filter'")]
    [InlineData("view a {\n expr true\n}\nview b {\n expr true\n}", 5, "only one view per server block")]
    public void Rejected_with_file_and_line(string directive, int line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => PluginSetupHarness.Setup(new ViewSetup(), ". {\n" + directive + "\n}\n", CorefilePath));

        Assert.Equal(CorefilePath, error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void The_expression_is_the_line_joined_with_single_spaces()
    {
        var block = PluginSetupHarness.Setup(new ViewSetup(), ". {\n view v {\n  expr   type()   ==   'A'\n }\n}\n", CorefilePath);

        Assert.Equal("type() == 'A'", Assert.Single(((QueryView)block.View!).Expressions).Text);
    }
}
