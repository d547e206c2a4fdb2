using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins;
using ClusterDns.Server.Plugins.Chaos;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Chaos;

/// <summary>CoreDNS's plugin/chaos tests restated: CH TXT for the BIND/server names, everything else passes on.</summary>
public sealed class ChaosHandlerTests
{
    private static readonly ChaosHandler Handler = new(new ChaosOptions("CoreDNS-001", ["Miek Gieben", "Other Author"], "node-a"));

    [Theory]
    [InlineData("version.bind.", new[] { "CoreDNS-001" })]
    [InlineData("VERSION.Server.", new[] { "CoreDNS-001" })]
    [InlineData("authors.bind.", new[] { "Miek Gieben", "Other Author" })]
    [InlineData("hostname.bind.", new[] { "node-a" })]
    [InlineData("id.server.", new[] { "node-a" })]
    public void Ch_txt_queries_are_answered(string name, string[] texts)
    {
        var response = Serve(Handler, CreateContext(name, RecordType.TXT, recordClass: RecordClass.CH));

        Assert.Equal(ResponseCode.NoError, response.Rcode);
        Assert.Equal(texts.Length, response.Answers.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            var record = response.Answers[i];
            Assert.Equal((RecordType.TXT, RecordClass.CH, 0u), (record.Type, record.Class, record.Ttl));
            Assert.Equal(DnsName.Parse(name), record.Name);
            Assert.Equal(texts[i], System.Text.Encoding.UTF8.GetString(Assert.Single(((TxtData)record.Data).Strings)));
        }
    }

    [Theory]
    [InlineData("authors.bind.", RecordType.SRV, RecordClass.CH)]
    [InlineData("version.bind.", RecordType.TXT, RecordClass.IN)]
    [InlineData("version.bind.", RecordType.A, RecordClass.CH)]
    [InlineData("other.bind.", RecordType.TXT, RecordClass.CH)]
    [InlineData("a.version.bind.", RecordType.TXT, RecordClass.CH)]
    public async Task Other_queries_go_to_the_next_plugin(string name, RecordType type, RecordClass recordClass)
    {
        var context = CreateContext(name, type, recordClass: recordClass);
        var result = await Handler.ServeAsync(context);

        Assert.False(result.IsWritten);
        Assert.Equal(0, context.ResponseLength);
    }

    [Theory]
    [InlineData("chaos", null, new[] { ChaosSetup.DefaultAuthor })]
    [InlineData("chaos 1.2", "1.2", new[] { ChaosSetup.DefaultAuthor })]
    [InlineData("chaos 1.2 zed alice zed", "1.2", new[] { "alice", "zed" })]
    public void Parses_version_and_authors(string text, string? version, string[] authors)
    {
        var directive = CorefileParser.Parse($".:53 {{\n{text}\n}}\n", "Corefile").ServerBlocks[0].Directives[0];
        var options = ChaosSetup.Parse(directive);

        Assert.Equal(version ?? ChaosSetup.DefaultVersion(), options.Version);
        Assert.StartsWith("ClusterDns-", ChaosSetup.DefaultVersion());
        Assert.Equal(authors, options.Authors);
        Assert.Equal(System.Net.Dns.GetHostName(), options.Hostname);
    }

    [Fact]
    public void Text_over_255_bytes_is_cut_to_255()
    {
        var data = ChaosHandler.Txt(new string('v', 300));
        Assert.Equal(256, data.Length);
        Assert.Equal(255, data[0]);
    }

    [Fact]
    public void A_block_is_an_error_with_the_line()
    {
        var document = CorefileParser.Parse(".:53 {\nchaos {\n}\n}\n", "Corefile");
        var error = Assert.Throws<CorefileException>(() => new PipelineBuilder(BuiltInPlugins.CreateRegistry())
            .Build(document, new ServerBuildContext("Corefile")));
        Assert.Contains("Corefile:2:", error.Message);
    }
}
