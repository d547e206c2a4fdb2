using System.Net;
using System.Text;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Rewrite;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Rewrite;

/// <summary>
/// Restates coredns/coredns plugin/rewrite's EDNS0 cases (TestRewriteEDNS0Local, TestEdns0LocalMultiRule,
/// TestRewriteEDNS0LocalVariable, TestRewriteEDNS0Subnet, the unset cases): what the next handler sees in the
/// request's OPT, and that the client's own OPT (or its absence) is what its response carries.
/// </summary>
public sealed class RewriteEdns0Tests
{
    // CoreDNS's test.ResponseWriter: the client is 10.240.0.1:40212 (ResponseWriter6: fe80::42:ff:feca:4c65), the server port 53.
    private static readonly IPEndPoint Client4 = new(IPAddress.Parse("10.240.0.1"), 40212);
    private static readonly IPEndPoint Client6 = new(IPAddress.Parse("fe80::42:ff:feca:4c65"), 40212);

    public static TheoryData<string, string?, string> Cases => new()
    {
        // rules, the client's options ("code=hex,…", null: no OPT at all) → options the next handler sees ("-": no OPT)
        { "rewrite edns0 local set 0xffee 0xabcdef", null, "65518=abcdef" },
        { "rewrite edns0 local append 0xffee abcdefghijklmnop", null, "65518=" + Hex("abcdefghijklmnop") },
        { "rewrite edns0 local replace 0xffee abcdefghijklmnop", null, "-" },
        { "rewrite edns0 local replace 0xffee abcdefghijklmnop", "", "" },
        { "rewrite edns0 nsid set", null, "3=" },
        { "rewrite edns0 nsid append", null, "3=" },
        { "rewrite edns0 nsid replace", null, "-" },
        { "rewrite edns0 nsid set", "3=6869", "3=" },
        { "rewrite edns0 nsid append", "3=6869", "3=6869" },
        { "rewrite edns0 local set 0xffee 0x61626364", "", "65518=61626364" },
        { "rewrite edns0 local set 65518 abcd", "", "65518=61626364" },
        { "rewrite edns0 local set 0xffee abcd", "10=0102030405060708,65518=ff", "10=0102030405060708,65518=61626364" },
        { "rewrite edns0 local append 0xffee abcd", "65518=ff", "65518=ff" },
        { "rewrite edns0 local replace 0xffee abcd", "65518=ff", "65518=61626364" },
        // TestEdns0LocalMultiRule: replace does nothing without the option, so the set after it runs.
        { "rewrite edns0 local replace 0xffee abcdef\nrewrite edns0 local set 0xffee fedcba", null, "65518=" + Hex("fedcba") },
        { "rewrite edns0 local replace 0xffee abcdef\nrewrite edns0 local set 0xffee fedcba", "65518=" + Hex("foobar"), "65518=" + Hex("abcdef") },
        // continue lets both options in; stop (the default) ends the rules at the first that did something.
        { "rewrite continue edns0 local set 0xffee a\nrewrite edns0 local set 0xffef b", "", "65518=61,65519=62" },
        { "rewrite edns0 local set 0xffee a\nrewrite edns0 local set 0xffef b", "", "65518=61" },
        // unset removes the option and never adds an OPT.
        { "rewrite edns0 local unset 0xffee", "10=01,65518=ff", "10=01" },
        { "rewrite edns0 local unset 0xffee", null, "-" },
        { "rewrite edns0 nsid unset", "3=", "" },
        { "rewrite edns0 subnet unset", "8=00011800c0000200,65518=ff", "65518=ff" },
        // revert is accepted: the client never sees the rewritten options anyway.
        { "rewrite edns0 local set 0xffee abcd revert", null, "65518=61626364" },
        // TestRewriteEDNS0LocalVariable.
        { "rewrite edns0 local set 0xffee {qname}", null, "65518=" + Hex("example.com.") },
        { "rewrite edns0 local set 0xffee {qtype}", null, "65518=0001" },
        { "rewrite edns0 local set 0xffee {client_ip}", null, "65518=0af00001" },
        { "rewrite edns0 local set 0xffee {client_port}", null, "65518=9d14" },
        { "rewrite edns0 local set 0xffee {protocol}", null, "65518=" + Hex("udp") },
        { "rewrite edns0 local set 0xffee {server_port}", null, "65518=0035" },
        { "rewrite continue name example.com other.org\nrewrite edns0 local set 0xffee {qname}", null, "65518=" + Hex("other.org.") },
        // TestRewriteEDNS0Subnet (IPv4 client): the address is cut to the prefix on the wire (RFC 7871 §6).
        { "rewrite edns0 subnet set 24 56", null, "8=00011800" + "0af000" },
        { "rewrite edns0 subnet set 32 56", null, "8=00012000" + "0af00001" },
        { "rewrite edns0 subnet set 0 56", null, "8=00010000" },
        { "rewrite edns0 subnet set 20 56", null, "8=00011400" + "0af000" },
        // An existing ECS option keeps its shorter prefix, with the client's own address (as CoreDNS does).
        { "rewrite edns0 subnet replace 24 56", "8=00011000c0a8", "8=00011000" + "0af0" },
        { "rewrite edns0 subnet append 24 56", "8=00011000c0a8", "8=00011000c0a8" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task TheNextHandlerSeesTheRewrittenOptions(string rules, string? clientOptions, string seen)
    {
        var (handler, backend) = Build(rules);
        var context = Prepare("example.com.", clientOptions, Client4);

        await Process(handler, context);

        Assert.Equal(seen, backend.SeenOptions);
        var response = InProcessQuery.Parse(context);
        Assert.Equal("example.com.", Assert.Single(response.Questions).Name.ToString());
        // RFC 6891 §7: no OPT in the reply to a query without one, whatever OPT the rewritten query had.
        Assert.Equal(clientOptions is not null, response.Edns is not null);
        Assert.Empty(response.Edns?.Options ?? []);
        Assert.Single(response.Answers);
    }

    [Theory]
    [InlineData("rewrite edns0 subnet set 24 56", "8=00023800fe800000000000")]
    [InlineData("rewrite edns0 subnet set 24 128", "8=00028000fe80000000000000004200fffeca4c65")]
    [InlineData("rewrite edns0 subnet set 24 0", "8=00020000")]
    [InlineData("rewrite edns0 local set 0xffee {client_ip}", "65518=fe80000000000000004200fffeca4c65")]
    public async Task AnIpv6ClientGetsFamilyTwo(string rules, string seen)
    {
        var (handler, backend) = Build(rules);
        var context = Prepare("example.com.", null, Client6);

        await Process(handler, context);

        Assert.Equal(seen, backend.SeenOptions);
    }

    [Fact]
    public async Task QnameIsTheClientsSpelling()
    {
        var (handler, backend) = Build("rewrite edns0 local set 0xffee {qname}");
        var context = Prepare("Example.COM.", null, Client4);

        await Process(handler, context);

        Assert.Equal("65518=" + Hex("Example.COM."), backend.SeenOptions);
    }

    [Fact]
    public async Task AnIpv4ClientOnADualStackSocketIsFamilyOne()
    {
        var (handler, backend) = Build("rewrite edns0 subnet set 24 56");
        var context = Prepare("example.com.", null, new IPEndPoint(IPAddress.Parse("::ffff:10.240.0.1"), 40212));

        await Process(handler, context);

        Assert.Equal("8=00011800" + "0af000", backend.SeenOptions);
    }

    [Fact]
    public async Task TheClientsOwnOptKeepsItsDoBitAndGetsNoRewrittenOption()
    {
        var (handler, backend) = Build("rewrite edns0 local set 0xffee abcd");
        var context = Prepare("example.com.", "10=0102030405060708", Client4, dnssecOk: true);

        await Process(handler, context);

        Assert.Equal("10=0102030405060708,65518=61626364", backend.SeenOptions);
        var response = InProcessQuery.Parse(context);
        Assert.True(response.Edns!.DnssecOk);
        Assert.Empty(response.Edns.Options);
    }

    [Fact]
    public async Task AnExtendedErrorFromLaterHandlersStillReachesTheClient()
    {
        var (handler, backend) = Build("rewrite edns0 local set 0xffee abcd");
        backend.ExtendedError = true;
        var context = Prepare("example.com.", "", Client4);

        await Process(handler, context);

        var option = Assert.Single(InProcessQuery.Parse(context).Edns!.Options);
        Assert.Equal(EdnsOption.ExtendedError, option.Code);
        Assert.Equal("0011" + Hex("x"), Convert.ToHexStringLower(option.Data));
    }

    [Fact]
    public void ARuleThatCannotApplyLeavesTheQueryUnallocated()
    {
        var (handler, _) = Build("rewrite edns0 local replace 0xffee abcd\nrewrite edns0 local unset 0xffef\nrewrite edns0 nsid replace");
        var context = Prepare("www.example.org.", "10=0102030405060708", Client4);
        handler.Next = new Completes();
        for (int i = 0; i < 100; i++)
        {
            _ = handler.ServeAsync(context);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            Assert.True(handler.ServeAsync(context).IsCompletedSuccessfully);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(". {\n rewrite edns0 local\n}\n", 2, "'rewrite edns0' takes")]
    [InlineData(". {\n rewrite edns0 bogus set\n}\n", 2, "unknown option type 'bogus'")]
    [InlineData(". {\n rewrite edns0 local bogus 0xffee abcd\n}\n", 2, "invalid action 'bogus'")]
    [InlineData(". {\n rewrite edns0 local set 0xffee\n}\n", 2, "exactly two arguments")]
    [InlineData(". {\n rewrite edns0 local set 0x1ffff abcd\n}\n", 2, "not an option code")]
    [InlineData(". {\n rewrite edns0 local set ffee abcd\n}\n", 2, "not an option code")]
    [InlineData(". {\n rewrite edns0 local set 0xffee 0xabc\n}\n", 2, "not hex data")]
    [InlineData(". {\n rewrite edns0 local unset 0xffee abcd\n}\n", 2, "exactly one argument")]
    [InlineData(". {\n rewrite edns0 local set 0xffee {bogus}\n}\n", 2, "unsupported variable '{bogus}'")]
    [InlineData(". {\n rewrite edns0 local set 0xffee {some-plugin/some-label}\n}\n", 2, "metadata labels are not supported")]
    [InlineData(". {\n rewrite edns0 local set 0xffee {server_ip}\n}\n", 2, "{server_ip} is not supported")]
    [InlineData(". {\n rewrite edns0 nsid set foo\n}\n", 2, "takes no arguments")]
    [InlineData(". {\n rewrite edns0 subnet set 33 56\n}\n", 2, "invalid IPv4 bit mask length '33'")]
    [InlineData(". {\n rewrite edns0 subnet set 24 129\n}\n", 2, "invalid IPv6 bit mask length '129'")]
    [InlineData(". {\n rewrite edns0 subnet set 24\n}\n", 2, "exactly two arguments")]
    [InlineData(". {\n rewrite edns0 subnet unset 24 56\n}\n", 2, "takes no arguments")]
    public void BadEdns0RulesAreErrorsWithTheLine(string corefile, int line, string expected)
    {
        var error = Assert.Throws<CorefileException>(() => Plugins.FilePlugin.PluginSetupHarness.Setup(new RewriteSetup(), corefile, "/tmp/Corefile"));

        Assert.Equal(line, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static string Hex(string text) => Convert.ToHexStringLower(Encoding.ASCII.GetBytes(text));

    private static DnsQueryContext Prepare(string name, string? options, IPEndPoint client, bool dnssecOk = false)
    {
        var query = new DnsMessage();
        query.Header.Id = 0x1234;
        query.Header.RecursionDesired = true;
        query.Questions.Add(new DnsQuestion(DnsName.Parse(name), RecordType.A, RecordClass.IN));
        if (options is not null)
        {
            query.Edns = new EdnsRecord { UdpPayloadSize = 1232, DnssecOk = dnssecOk, Options = ParseOptions(options) };
        }
        var context = new DnsQueryContext();
        int length = query.Write(context.Buffer, context.Buffer.Length);
        context.Reset(length, TransportKind.Udp);
        context.RemoteAddress = client.Serialize();
        context.LocalPort = 53;
        return context;
    }

    private static List<EdnsOption> ParseOptions(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(part =>
        {
            var pieces = part.Split('=');
            return new EdnsOption(ushort.Parse(pieces[0]), Convert.FromHexString(pieces[1]));
        }).ToList();

    private static (RewriteHandler, OptionsBackend) Build(string rules)
    {
        var document = CorefileParser.Parse(". {\n " + rules.Replace("\n", "\n ") + "\n}\n", "/tmp/Corefile");
        RewriteHandler? handler = null;
        foreach (var directive in document.ServerBlocks[0].Directives)
        {
            var rule = RewriteSetup.Parse(directive);
            if (handler is null)
            {
                handler = new RewriteHandler(rule, NullLogger.Instance);
            }
            else
            {
                handler.Add(rule);
            }
        }
        var backend = new OptionsBackend();
        handler!.Next = backend;
        return (handler, backend);
    }

    private static ValueTask Process(RewriteHandler handler, DnsQueryContext context)
    {
        var block = new ServerBlockRuntime([DnsName.Root], handler, [handler, handler.Next!]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        return processor.ProcessAsync(context);
    }

    /// <summary>Records the request's options as "code=hex,…" ("-" without an OPT) and answers one A record.</summary>
    private sealed class OptionsBackend : DnsHandler
    {
        public string SeenOptions { get; private set; } = "unset";

        /// <summary>Answer with an RFC 8914 option (code 17, "x") in our OPT, as template's ederror does.</summary>
        public bool ExtendedError { get; set; }

        public override string Name => "file";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            Assert.Equal(DnsError.None, DnsMessage.TryParse(context.Request, out var request));
            SeenOptions = request.Edns is null ? "-"
                : string.Join(',', request.Edns.Options.Select(o => $"{o.Code}={Convert.ToHexStringLower(o.Data)}"));
            var writer = context.BeginResponse();
            writer.TryWriteRecordAt(DnsHeader.Size, RecordType.A, 1, 30, [192, 0, 2, 1], MessageSection.Answer);
            byte[] ede = ExtendedError ? [0, 15, 0, 3, 0, 17, (byte)'x'] : [];
            writer.Limit -= ede.Length;
            context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated: false, ede);
            return new(HandlerResult.Written(ResponseCode.NoError));
        }
    }

    private sealed class Completes : DnsHandler
    {
        public override string Name => "file";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context) => new(HandlerResult.NotWritten(ResponseCode.NXDomain));
    }
}
