using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins;
using ClusterDns.Server.Plugins.Local;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Local;

/// <summary>CoreDNS's plugin/local test table, restated: localhost names and the loopback reverse zones.</summary>
public sealed class LocalHandlerTests
{
    private const string Soa = "IN SOA localhost. root.localhost. 1 0 0 0 604800";

    public static TheoryData<string, RecordType, ResponseCode, string?, string?> Cases() => new()
    {
        { "localhost.", RecordType.A, ResponseCode.NoError, "localhost. 604800 IN A 127.0.0.1", null },
        { "localHOst.", RecordType.A, ResponseCode.NoError, "localhost. 604800 IN A 127.0.0.1", null },
        { "localhost.", RecordType.AAAA, ResponseCode.NoError, "localhost. 604800 IN AAAA ::1", null },
        { "localhost.", RecordType.NS, ResponseCode.NoError, "localhost. 604800 IN NS localhost.", null },
        { "localhost.", RecordType.SOA, ResponseCode.NoError, "localhost. 604800 " + Soa, null },
        { "127.in-addr.arpa.", RecordType.A, ResponseCode.NoError, null, "127.in-addr.arpa. 604800 " + Soa },
        { "127.in-addr.arpa.", RecordType.NS, ResponseCode.NoError, "127.in-addr.arpa. 604800 IN NS localhost.", null },
        { "0.in-addr.arpa.", RecordType.SOA, ResponseCode.NoError, "0.in-addr.arpa. 604800 " + Soa, null },
        { "localhost.", RecordType.MX, ResponseCode.NoError, null, "localhost. 604800 " + Soa },
        { "a.localhost.", RecordType.A, ResponseCode.NoError, "a.localhost. 604800 IN A 127.0.0.1", null },
        { "b.a.localhost.", RecordType.AAAA, ResponseCode.NoError, "b.a.localhost. 604800 IN AAAA ::1", null },
        { "a.localhost.", RecordType.MX, ResponseCode.NoError, null, "a.localhost. 604800 " + Soa },
        { "1.0.0.127.in-addr.arpa.", RecordType.PTR, ResponseCode.NoError, "1.0.0.127.in-addr.arpa. 604800 IN PTR localhost.", null },
        { "1.0.0.127.in-addr.arpa.", RecordType.MX, ResponseCode.NoError, null, "127.in-addr.arpa. 604800 " + Soa },
        { "2.0.0.127.in-addr.arpa.", RecordType.PTR, ResponseCode.NXDomain, null, "127.in-addr.arpa. 604800 " + Soa },
        { "1.255.in-addr.arpa.", RecordType.PTR, ResponseCode.NXDomain, null, "255.in-addr.arpa. 604800 " + Soa },
        { "localhost.example.net.", RecordType.A, ResponseCode.NoError, "localhost.example.net. 604800 IN A 127.0.0.1", null },
        { "localhost.example.net.", RecordType.AAAA, ResponseCode.NoError, "localhost.example.net. 604800 IN AAAA ::1", null },
        { "localhost.example.net.", RecordType.SOA, ResponseCode.NoError, null, "localhost.example.net. 604800 " + Soa },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Answers_as_coredns_local(string name, RecordType type, ResponseCode rcode, string? answer, string? authority)
    {
        var response = Query(new LocalHandler(new LocalOptions()), name, type);

        Assert.Equal(rcode, response.Rcode);
        Assert.Equal(answer is null ? [] : [answer], Lines(response.Answers));
        Assert.Equal(authority is null ? [] : [authority], Lines(response.Authority));
    }

    [Theory]
    [InlineData("example.org.")]
    [InlineData("notlocalhost.")]
    [InlineData("127.in-addr.arpa.example.")]
    [InlineData("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.")]
    public async Task Other_names_go_to_the_next_plugin(string name)
    {
        var context = CreateContext(name, RecordType.A);
        var result = await new LocalHandler(new LocalOptions()).ServeAsync(context);

        Assert.False(result.IsWritten);
        Assert.Equal(0, context.ResponseLength);
    }

    [Fact]
    public async Task Localhost_prefix_off_passes_localhost_dot_anything_on_but_keeps_subdomains()
    {
        var handler = new LocalHandler(new LocalOptions { LocalhostPrefix = false });

        Assert.False((await handler.ServeAsync(CreateContext("localhost.example.net.", RecordType.A))).IsWritten);
        Assert.Equal(["a.localhost. 604800 IN A 127.0.0.1"], Lines(Query(handler, "a.localhost.", RecordType.A).Answers));
    }

    [Theory]
    [InlineData("local", true)]
    [InlineData("local {\n localhost_prefix off\n}", false)]
    [InlineData("local {\n localhost_prefix on\n}", true)]
    public void Parses_localhost_prefix(string text, bool prefix)
    {
        Assert.Equal(prefix, LocalSetup.Parse(Directive(text)).LocalhostPrefix);
    }

    [Theory]
    [InlineData("local example.org", ":2:")]
    [InlineData("local {\n localhost_prefix maybe\n}", ":3:")]
    [InlineData("local {\n localhost_prefix\n}", ":3:")]
    [InlineData("local {\n other on\n}", ":3:")]
    public void Bad_input_is_an_error_with_the_line(string text, string line)
    {
        var document = CorefileParser.Parse($".:53 {{\n{text}\n}}\n", "Corefile");
        var error = Assert.Throws<CorefileException>(() => new PipelineBuilder(BuiltInPlugins.CreateRegistry())
            .Build(document, new ServerBuildContext("Corefile")));
        Assert.Contains("Corefile" + line, error.Message);
    }

    private static Directive Directive(string text) =>
        CorefileParser.Parse($".:53 {{\n{text}\n}}\n", "Corefile").ServerBlocks[0].Directives[0];
}
