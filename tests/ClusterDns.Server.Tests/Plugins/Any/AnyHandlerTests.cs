using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins;
using ClusterDns.Server.Plugins.Any;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Any;

/// <summary>CoreDNS's plugin/any test restated: ANY gets the RFC 8482 HINFO, every other type passes on.</summary>
public sealed class AnyHandlerTests
{
    [Theory]
    [InlineData("example.org.")]
    [InlineData("Www.Example.ORG.")]
    [InlineData(".")]
    public void Any_queries_get_the_rfc8482_hinfo(string name)
    {
        var response = Query(new AnyHandler(), name, RecordType.ANY);

        Assert.Equal(ResponseCode.NoError, response.Rcode);
        var record = Assert.Single(response.Answers);
        Assert.Equal(RecordType.HINFO, record.Type);
        Assert.Equal(8482u, record.Ttl);
        Assert.Equal(DnsName.Parse(name), record.Name);
        // "ANY obsoleted" "See RFC 8482" as two character strings.
        Assert.Equal("\rANY obsoleted\fSee RFC 8482", System.Text.Encoding.ASCII.GetString(((UnknownData)record.Data).Data));
        Assert.Empty(response.Authority);
        Assert.Empty(response.Additional);
    }

    [Theory]
    [InlineData(RecordType.A)]
    [InlineData(RecordType.AAAA)]
    [InlineData(RecordType.HINFO)]
    [InlineData(RecordType.TXT)]
    public async Task Other_types_go_to_the_next_plugin(RecordType type)
    {
        var context = CreateContext("example.org.", type);
        var result = await new AnyHandler().ServeAsync(context);

        Assert.False(result.IsWritten);
        Assert.Equal(0, context.ResponseLength);
    }

    [Theory]
    [InlineData("any example.org")]
    [InlineData("any {\n}")]
    public void Arguments_or_a_block_are_an_error_with_the_line(string text)
    {
        var document = CorefileParser.Parse($".:53 {{\n{text}\n}}\n", "Corefile");
        var error = Assert.Throws<CorefileException>(() => new PipelineBuilder(BuiltInPlugins.CreateRegistry())
            .Build(document, new ServerBuildContext("Corefile")));
        Assert.Contains("Corefile:2:", error.Message);
    }
}
