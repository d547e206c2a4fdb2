using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Minimal;
using ClusterDns.Server.Tests.Plugins.FilePlugin;
using ClusterDns.Server.Tests.Zones;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Minimal;

/// <summary>CoreDNS's plugin/minimal minimal_test cases restated, plus the response types its README leaves alone.</summary>
public sealed class MinimalHandlerTests
{
    private static readonly string[] Answer = ["example.com. 293 IN A 142.250.76.46"];
    private static readonly string[] Ns =
    [
        "example.com. 157127 IN NS ns2.example.com.", "example.com. 157127 IN NS ns1.example.com.",
        "example.com. 157127 IN NS ns3.example.com.", "example.com. 157127 IN NS ns4.example.com.",
    ];
    private static readonly string[] Extra =
    [
        "ns2.example.com. 316273 IN A 216.239.34.10", "ns2.example.com. 157127 IN AAAA 2001:4860:4802:34::a",
        "ns3.example.com. 316274 IN A 216.239.36.10", "ns3.example.com. 157127 IN AAAA 2001:4860:4802:36::a",
        "ns1.example.com. 165555 IN A 216.239.32.10", "ns1.example.com. 165555 IN AAAA 2001:4860:4802:32::a",
        "ns4.example.com. 190188 IN A 216.239.38.10", "ns4.example.com. 157127 IN AAAA 2001:4860:4802:38::a",
    ];
    private static readonly string[] Soa = ["example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 1800 86400 300"];

    public sealed record Case(ResponseCode Rcode, string[] Answer, string[] Authority, string[] Additional, bool Trimmed);

    public static TheoryData<string, Case> Cases() => new()
    {
        // minimal_test.go
        { "positive answer loses its additional section", new(ResponseCode.NoError, Answer, [], Extra, Trimmed: true) },
        { "delegation keeps NS and glue", new(ResponseCode.NoError, [], Ns, Extra, Trimmed: false) },
        { "error response is left whole", new(ResponseCode.ServFail, Answer, Ns, Extra, Trimmed: false) },
        // The README's other response types.
        { "positive answer loses authority and additional", new(ResponseCode.NoError, Answer, Ns, Extra, Trimmed: true) },
        { "NXDOMAIN keeps its SOA", new(ResponseCode.NXDomain, [], Soa, [], Trimmed: false) },
        { "NODATA keeps its SOA", new(ResponseCode.NoError, [], Soa, [], Trimmed: false) },
        { "CNAME to NXDOMAIN keeps its SOA", new(ResponseCode.NXDomain, ["alias.example.com. 300 IN CNAME gone.example.com."], Soa, [], Trimmed: false) },
        { "REFUSED is left whole", new(ResponseCode.Refused, [], Ns, [], Trimmed: false) },
        { "NOERROR without answer, SOA or NS loses the rest", new(ResponseCode.NoError, [], [], Extra, Trimmed: true) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task TrimsOnlyPlainPositiveAnswers(string description, Case c)
    {
        foreach (bool asynchronous in new[] { false, true })
        {
            foreach (var edns in new EdnsRecord?[] { null, new EdnsRecord { UdpPayloadSize = 1232 } })
            {
                var gate = asynchronous ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
                var handler = new MinimalHandler { Next = new SectionsHandler(c.Rcode, c.Answer, c.Authority, c.Additional, gate) };
                var context = CreateContext("example.com.", RecordType.A, edns: edns);
                var pending = handler.ServeAsync(context);
                Assert.Equal(!asynchronous, pending.IsCompletedSuccessfully);
                gate?.SetResult();
                var result = await pending;
                Assert.True(result.IsWritten, description);
                Assert.Equal(DnsError.None, DnsMessage.TryParse(context.Response, out var response));

                Assert.Equal(c.Rcode, response.Rcode);
                Assert.Equal(SortedLines(c.Answer), Lines(response.Answers));
                Assert.Equal(c.Trimmed ? [] : SortedLines(c.Authority), Lines(response.Authority));
                Assert.Equal(c.Trimmed ? [] : SortedLines(c.Additional), Lines(response.Additional));
                // Our OPT record stays with the answer when the client sent one.
                Assert.Equal(edns is not null, response.Edns is not null);
            }
        }
    }

    [Fact]
    public void ZoneTransfersAreLeftWhole()
    {
        var handler = new MinimalHandler { Next = new SectionsHandler(ResponseCode.NoError, Answer, Ns, Extra) };

        var response = Serve(handler, CreateContext("example.com.", RecordType.AXFR));

        Assert.Equal(Ns.Length, response.Authority.Count);
        Assert.Equal(Extra.Length, response.Additional.Count);
    }

    [Fact]
    public void AnUnwrittenResultIsPassedOn()
    {
        var handler = new MinimalHandler { Next = new TerminalHandler() };

        var response = Serve(handler, CreateContext("example.com.", RecordType.A));

        Assert.Equal(ResponseCode.Refused, response.Rcode);
    }

    [Fact]
    public void Setup_takes_no_arguments()
    {
        var builder = PluginSetupHarness.Setup(new MinimalSetup(), ". {\n    minimal\n}\n", "/tmp/Corefile");

        PluginSetupHarness.Handler<MinimalHandler>(builder);
    }

    [Theory]
    [InlineData("minimal yes")]
    [InlineData("minimal no")]
    [InlineData("minimal {\n        foo\n    }")]
    public void Setup_rejects_arguments_and_blocks_with_the_line(string line)
    {
        var error = Assert.Throws<CorefileException>(() =>
            PluginSetupHarness.Setup(new MinimalSetup(), ". {\n    " + line + "\n}\n", "/tmp/Corefile"));

        Assert.Contains("/tmp/Corefile:2", error.Message);
    }
}
