using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Metadata;
using ClusterDns.Server.Tests.Plugins.FilePlugin;

namespace ClusterDns.Server.Tests.Plugins.Metadata;

/// <summary>CoreDNS's <c>metadata [ZONES...]</c>: the zones default to the block's; anything else is a start-up error.</summary>
public class MetadataSetupTests
{
    private const string CorefilePath = "/etc/coredns/Corefile";

    [Theory]
    [InlineData("example.org {\n metadata\n}", new[] { "example.org." })]
    [InlineData(". {\n metadata example.com.\n}", new[] { "example.com." })]
    [InlineData(". {\n metadata example.com example.net\n}", new[] { "example.com.", "example.net." })]
    public void Zones(string corefile, string[] zones)
    {
        var block = PluginSetupHarness.Setup(new MetadataSetup(), corefile, CorefilePath);

        Assert.Equal(zones.Select(DnsName.Parse), block.MetadataZones);
        Assert.Empty(block.Handlers);
    }

    [Fact]
    public void Without_the_plugin_the_block_has_no_metadata()
    {
        var block = PluginSetupHarness.Setup(new MetadataSetup(), ". {\n}", CorefilePath);

        Assert.Null(block.MetadataZones);
        Assert.Null(block.Build().Metadata);
    }

    [Theory]
    [InlineData(". {\n metadata\n metadata\n}", 3, "only once per server block")]
    [InlineData(". {\n metadata {\n  map {{.IP}} VRF {\n   127.0.0.1 VRF1\n  }\n }\n}", 3, "'map' is not part of CoreDNS 1.14")]
    [InlineData(". {\n metadata {\n  other\n }\n}", 3, "unknown property 'other'")]
    [InlineData(". {\n metadata not..a.zone\n}", 2, "")]
    public void Rejected_with_file_and_line(string corefile, int line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => PluginSetupHarness.Setup(new MetadataSetup(), corefile, CorefilePath));

        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Reason);
    }
}
