using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins;
using ClusterDns.Server.Plugins.Any;
using ClusterDns.Server.Plugins.Header;
using ClusterDns.Server.Plugins.Whoami;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Header;

/// <summary>CoreDNS's plugin/header tests restated: set/clear aa, ra, rd (and ad, cd) on queries and responses.</summary>
public sealed class HeaderHandlerTests
{
    private static HeaderHandler Handler(string block, DnsHandler next)
    {
        var directive = CorefileParser.Parse($".:53 {{\nheader {{\n{block}\n}}\n}}\n", "Corefile").ServerBlocks[0].Directives[0];
        var (query, response) = HeaderSetup.Parse(directive);
        return new HeaderHandler(query, response) { Next = next };
    }

    [Theory]
    // whoami answers with AA set; RA is clear (no block) and RD is clear in the harness's query.
    [InlineData("response set ra", "aa ra")]
    [InlineData("set ra aa", "aa ra")]
    [InlineData("response clear aa", "")]
    [InlineData("clear aa", "")]
    [InlineData("response set rd ad cd", "aa rd ad cd")]
    [InlineData("response set ra\nresponse clear ra", "aa")]
    [InlineData("response clear ra\nresponse set ra", "aa ra")]
    [InlineData("response set RA", "aa ra")]
    [InlineData("query set rd", "aa rd")]
    public void Rules_change_the_flags_clients_see(string rules, string flags)
    {
        var response = Query(Handler(rules, new WhoamiHandler()), "example.org.", RecordType.A);

        Assert.Equal(flags, Flags(response.Header));
        Assert.True(response.Header.IsResponse);
    }

    [Fact]
    public void Query_rules_are_seen_by_the_plugins_after_it()
    {
        var probe = new FlagProbe();
        var context = CreateContext("example.org.", RecordType.A);

        Serve(Handler("query set rd cd\nquery clear aa", probe), context);

        Assert.True(probe.Seen.RecursionDesired);
        Assert.True(probe.Seen.CheckingDisabled);
        Assert.Equal(0x01, context.Buffer[2] & 0x01);
    }

    [Fact]
    public async Task Queries_another_plugin_does_not_answer_get_no_response_rule()
    {
        var context = CreateContext("example.org.", RecordType.A);
        var result = await Handler("response set aa", new AnyHandler()).ServeAsync(context);

        Assert.False(result.IsWritten);
        Assert.Equal(0, context.ResponseLength);
    }

    [Theory]
    [InlineData("header", ":2:")]
    [InlineData("header {\n}", ":2:")]
    [InlineData("header example.org {\nset aa\n}", ":2:")]
    [InlineData("header {\nanswer set aa\n}", ":3:")]
    [InlineData("header {\nresponse toggle aa\n}", ":3:")]
    [InlineData("header {\nresponse set\n}", ":3:")]
    [InlineData("header {\nresponse\n}", ":3:")]
    [InlineData("header {\nset qr\n}", ":3:")]
    [InlineData("header {\nquery set aa tc\n}", ":3:")]
    public void Bad_input_is_an_error_with_the_line(string text, string line)
    {
        var document = CorefileParser.Parse($".:53 {{\n{text}\n}}\n", "Corefile");
        var error = Assert.Throws<CorefileException>(() => new PipelineBuilder(BuiltInPlugins.CreateRegistry())
            .Build(document, new ServerBuildContext("Corefile")));
        Assert.Contains("Corefile" + line, error.Message);
    }

    private static string Flags(DnsHeader header) => string.Join(' ', new[]
    {
        header.AuthoritativeAnswer ? "aa" : null,
        header.RecursionDesired ? "rd" : null,
        header.RecursionAvailable ? "ra" : null,
        header.AuthenticData ? "ad" : null,
        header.CheckingDisabled ? "cd" : null,
    }.Where(f => f is not null));

    /// <summary>Records the query header it is given, then answers as whoami.</summary>
    private sealed class FlagProbe : DnsHandler
    {
        public DnsHeader Seen { get; private set; }

        public override string Name => "probe";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            Seen = context.Query.Header;
            return new WhoamiHandler().ServeAsync(context);
        }
    }
}
