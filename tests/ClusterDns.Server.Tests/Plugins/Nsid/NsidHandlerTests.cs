using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins;
using ClusterDns.Server.Plugins.Any;
using ClusterDns.Server.Plugins.Nsid;
using ClusterDns.Server.Plugins.Whoami;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Nsid;

/// <summary>CoreDNS's plugin/nsid tests restated: NSID only when asked, whichever plugin answers.</summary>
public sealed class NsidHandlerTests
{
    private static readonly EdnsRecord AsksNsid = new() { Options = [new EdnsOption(EdnsOption.Nsid, [])] };

    private static NsidHandler Chain(string data, Pipeline.DnsHandler next) =>
        new(System.Text.Encoding.UTF8.GetBytes(data)) { Next = next };

    [Theory]
    [InlineData("coredns-0", RecordType.A)]
    [InlineData("a b", RecordType.ANY)]
    public void A_query_with_the_nsid_option_gets_our_nsid(string data, RecordType type)
    {
        var response = Query(Chain(data, new AnyHandler { Next = new WhoamiHandler() }), "example.org.", type, edns: AsksNsid);

        Assert.NotNull(response.Edns);
        var option = Assert.Single(response.Edns.Options);
        Assert.Equal(EdnsOption.Nsid, option.Code);
        Assert.Equal(data, System.Text.Encoding.UTF8.GetString(option.Data));
        Assert.Equal(ResponseCode.NoError, response.Rcode);
    }

    [Fact]
    public void Other_edns_options_before_it_are_skipped()
    {
        var edns = new EdnsRecord { Options = [new EdnsOption(EdnsOption.Cookie, [1, 2, 3, 4, 5, 6, 7, 8]), new EdnsOption(EdnsOption.Nsid, [])] };

        var response = Query(Chain("ns1", new WhoamiHandler()), "example.org.", RecordType.A, edns: edns);

        Assert.Equal("ns1", System.Text.Encoding.UTF8.GetString(Assert.Single(response.Edns!.Options).Data));
    }

    [Fact]
    public void A_query_without_the_option_gets_no_nsid()
    {
        var withEdns = Query(Chain("ns1", new WhoamiHandler()), "example.org.", RecordType.A, edns: new EdnsRecord());
        var withoutEdns = Query(Chain("ns1", new WhoamiHandler()), "example.org.", RecordType.A, edns: null);

        Assert.Empty(withEdns.Edns!.Options);
        Assert.Null(withoutEdns.Edns);
    }

    [Fact]
    public void The_next_pooled_query_does_not_inherit_the_option()
    {
        var handler = Chain("ns1", new WhoamiHandler());
        var context = CreateContext("example.org.", RecordType.A, edns: AsksNsid);
        Serve(handler, context);
        var plain = CreateContext("example.org.", RecordType.A, edns: new EdnsRecord());
        plain.Buffer.AsSpan(0, plain.RequestLength).CopyTo(context.Buffer);
        context.Reset(plain.RequestLength, Pipeline.TransportKind.Udp);

        Assert.Empty(Serve(new WhoamiHandler(), context).Edns!.Options);
    }

    [Theory]
    [InlineData(new byte[] { 0, 3, 0, 0 }, true)]
    [InlineData(new byte[] { 0, 10, 0, 2, 9, 9, 0, 3, 0, 0 }, true)]
    [InlineData(new byte[] { 0, 10, 0, 9, 0, 3, 0, 0 }, false)]
    [InlineData(new byte[] { 0, 3 }, false)]
    [InlineData(new byte[0], false)]
    public void Finds_the_option_and_stops_at_a_cut_off_one(byte[] options, bool found)
    {
        Assert.Equal(found, NsidHandler.HasOption(options, NsidHandler.NsidCode));
    }

    [Theory]
    [InlineData("nsid", null)]
    [InlineData("nsid coredns-0", "coredns-0")]
    [InlineData("nsid hello world", "hello world")]
    public void Parses_the_data(string text, string? expected)
    {
        var directive = CorefileParser.Parse($".:53 {{\n{text}\n}}\n", "Corefile").ServerBlocks[0].Directives[0];
        var data = System.Text.Encoding.UTF8.GetString(NsidSetup.Parse(directive));

        Assert.Equal(expected ?? System.Net.Dns.GetHostName(), data);
    }

    [Theory]
    [InlineData("nsid a\nnsid b", ":3:")]
    [InlineData("nsid {\n}", ":2:")]
    public void Bad_input_is_an_error_with_the_line(string text, string line)
    {
        var document = CorefileParser.Parse($".:53 {{\n{text}\n}}\n", "Corefile");
        var error = Assert.Throws<CorefileException>(() => new PipelineBuilder(BuiltInPlugins.CreateRegistry())
            .Build(document, new ServerBuildContext("Corefile")));
        Assert.Contains("Corefile" + line, error.Message);
    }

    [Fact]
    public void Data_over_255_bytes_is_an_error()
    {
        var document = CorefileParser.Parse($".:53 {{\nnsid {new string('x', 256)}\n}}\n", "Corefile");
        var error = Assert.Throws<CorefileException>(() => new PipelineBuilder(BuiltInPlugins.CreateRegistry())
            .Build(document, new ServerBuildContext("Corefile")));
        Assert.Contains("Corefile:2:", error.Message);
    }
}
