using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Rewrite;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Rewrite;

/// <summary>Restates coredns/coredns plugin/rewrite's name, type, class, ttl and stop/continue test cases.</summary>
public sealed class RewriteHandlerTests
{
    public static TheoryData<string, string, RecordType, RecordClass, string, RecordType, RecordClass> RequestCases => new()
    {
        // rules, qname, qtype, qclass → what the next handler sees
        { "rewrite name from.nl. to.nl.", "from.nl.", RecordType.A, RecordClass.IN, "to.nl.", RecordType.A, RecordClass.IN },
        { "rewrite name exact from.nl to.nl", "FROM.nl.", RecordType.A, RecordClass.IN, "to.nl.", RecordType.A, RecordClass.IN },
        { "rewrite name exact from.nl to.nl", "a.from.nl.", RecordType.A, RecordClass.IN, "a.from.nl.", RecordType.A, RecordClass.IN },
        { "rewrite name prefix foo bar", "foo.example.org.", RecordType.A, RecordClass.IN, "bar.example.org.", RecordType.A, RecordClass.IN },
        { "rewrite name prefix foo bar", "a.foo.example.org.", RecordType.A, RecordClass.IN, "a.foo.example.org.", RecordType.A, RecordClass.IN },
        { "rewrite name suffix .nl .com", "a.b.nl.", RecordType.A, RecordClass.IN, "a.b.com.", RecordType.A, RecordClass.IN },
        { "rewrite name suffix example.org example.com", "x.example.org.", RecordType.A, RecordClass.IN, "x.example.com.", RecordType.A, RecordClass.IN },
        { "rewrite name substring service.us-west-1.example.org service.us-west-1.consul", "ftp.service.us-west-1.example.org.",
            RecordType.A, RecordClass.IN, "ftp.service.us-west-1.consul.", RecordType.A, RecordClass.IN },
        { @"rewrite name regex (.*)-(us-west-1)\.example\.org {1}.service.{2}.consul", "ftp-us-west-1.example.org.",
            RecordType.A, RecordClass.IN, "ftp.service.us-west-1.consul.", RecordType.A, RecordClass.IN },
        { @"rewrite name regex (.*)-(us-west-1)\.example\.org {1}.service.{2}.consul", "ftp-eu-1.example.org.",
            RecordType.A, RecordClass.IN, "ftp-eu-1.example.org.", RecordType.A, RecordClass.IN },
        { "rewrite type ANY HINFO", "a.nl.", RecordType.ANY, RecordClass.IN, "a.nl.", RecordType.HINFO, RecordClass.IN },
        { "rewrite type ANY HINFO", "a.nl.", RecordType.A, RecordClass.IN, "a.nl.", RecordType.A, RecordClass.IN },
        { "rewrite class CH IN", "a.nl.", RecordType.A, RecordClass.CH, "a.nl.", RecordType.A, RecordClass.IN },
        // stop (the default) ends the rules; continue lets later rules see the result.
        { "rewrite name a.nl b.nl\nrewrite name b.nl c.nl", "a.nl.", RecordType.A, RecordClass.IN, "b.nl.", RecordType.A, RecordClass.IN },
        { "rewrite stop name a.nl b.nl\nrewrite name b.nl c.nl", "a.nl.", RecordType.A, RecordClass.IN, "b.nl.", RecordType.A, RecordClass.IN },
        { "rewrite continue name a.nl b.nl\nrewrite name b.nl c.nl", "a.nl.", RecordType.A, RecordClass.IN, "c.nl.", RecordType.A, RecordClass.IN },
        { "rewrite continue type ANY HINFO\nrewrite name a.nl b.nl", "a.nl.", RecordType.ANY, RecordClass.IN, "b.nl.", RecordType.HINFO, RecordClass.IN },
        { "rewrite type ANY HINFO\nrewrite name a.nl b.nl", "a.nl.", RecordType.ANY, RecordClass.IN, "a.nl.", RecordType.HINFO, RecordClass.IN },
        // A longer name moves the OPT record behind it; a shorter one too.
        { "rewrite name suffix .nl .default.svc.cluster.local", "x.nl.", RecordType.AAAA, RecordClass.IN, "x.default.svc.cluster.local.", RecordType.AAAA, RecordClass.IN },
    };

    [Theory]
    [MemberData(nameof(RequestCases))]
    public async Task LaterHandlersSeeTheRewrittenQuestion(string rules, string name, RecordType type, RecordClass recordClass,
        string seenName, RecordType seenType, RecordClass seenClass)
    {
        var (handler, backend) = Build(rules);
        var context = InProcessQuery.Prepare(name, type, recordClass: recordClass);

        await Process(handler, context);

        Assert.Equal((seenName, seenType, seenClass), (backend.SeenName, backend.SeenType, backend.SeenClass));
        // The client always gets its own question back, in its own case, with its EDNS.
        var response = InProcessQuery.Parse(context);
        var question = Assert.Single(response.Questions);
        Assert.Equal((name, type, recordClass), (question.Name.ToString(), question.Type, question.Class));
        Assert.Equal(0x1234, response.Header.Id);
        Assert.NotNull(response.Edns);
    }

    public static TheoryData<string, string, string[]> ResponseCases => new()
    {
        // rules, qname → answer lines the client gets (backend: "<question> A 192.0.2.1", "alias.test. CNAME <question>")
        { "rewrite name exact foo.example.com foo.default.svc.cluster.local", "foo.example.com.",
            ["alias.test. 30 in cname foo.example.com.", "foo.example.com. 30 in a 192.0.2.1"] },
        { @"rewrite name regex (.*)\.corp\.local {1}.default.svc.cluster.local answer auto", "web.corp.local.",
            ["alias.test. 30 in cname web.corp.local.", "web.corp.local. 30 in a 192.0.2.1"] },
        { @"rewrite name regex (.*)-(us-west-1)\.coredns\.rocks {1}.service.{2}.consul answer name (.*)\.service\.(us-west-1)\.consul {1}-{2}.coredns.rocks",
            "ftp-us-west-1.coredns.rocks.", ["alias.test. 30 in cname ftp-us-west-1.coredns.rocks.", "ftp-us-west-1.coredns.rocks. 30 in a 192.0.2.1"] },
        { "rewrite stop {\n  name regex (.*)-(us-west-1)\\.coredns\\.rocks {1}.service.{2}.consul\n  answer name (.*)\\.service\\.(us-west-1)\\.consul {1}-{2}.coredns.rocks\n }",
            "ftp-us-west-1.coredns.rocks.", ["alias.test. 30 in cname ftp-us-west-1.coredns.rocks.", "ftp-us-west-1.coredns.rocks. 30 in a 192.0.2.1"] },
        // answer value rewrites names inside RDATA (here the CNAME target), answer name the owners.
        { @"rewrite name exact a.nl b.nl answer name alias\.test alias.nl answer value b\.nl c.nl", "a.nl.",
            ["a.nl. 30 in a 192.0.2.1", "alias.nl. 30 in cname c.nl."] },
        // ttl: a value sets, a range clamps; only for matching questions.
        { "rewrite ttl exact a.nl 15", "a.nl.", ["a.nl. 15 in a 192.0.2.1", "alias.test. 15 in cname a.nl."] },
        { "rewrite ttl a.nl 10-20", "a.nl.", ["a.nl. 20 in a 192.0.2.1", "alias.test. 20 in cname a.nl."] },
        { "rewrite ttl suffix .nl 60-", "a.nl.", ["a.nl. 60 in a 192.0.2.1", "alias.test. 60 in cname a.nl."] },
        { "rewrite ttl exact b.nl 15", "a.nl.", ["a.nl. 30 in a 192.0.2.1", "alias.test. 30 in cname a.nl."] },
        { "rewrite continue name a.nl b.nl\nrewrite ttl b.nl 5", "a.nl.", ["a.nl. 5 in a 192.0.2.1", "alias.test. 5 in cname a.nl."] },
    };

    [Theory]
    [MemberData(nameof(ResponseCases))]
    public async Task ResponsesCarryTheNamesTheClientAsked(string rules, string name, string[] answers)
    {
        var (handler, _) = Build(rules);
        var context = InProcessQuery.Prepare(name, RecordType.A);

        await Process(handler, context);

        var response = InProcessQuery.Parse(context);
        Assert.Equal(name, Assert.Single(response.Questions).Name.ToString());
        Assert.Equal(answers, InProcessQuery.Lines(response.Answers));
        Assert.True(response.Header.AuthoritativeAnswer);
    }

    [Fact]
    public async Task ABareRcodeFromLaterHandlersKeepsTheClientsQuestion()
    {
        var (handler, backend) = Build("rewrite name suffix .corp.local .default.svc.cluster.local");
        backend.BareRcode = ResponseCode.NXDomain;
        var context = InProcessQuery.Prepare("Db.Corp.Local.", RecordType.A);

        await Process(handler, context);

        var response = InProcessQuery.Parse(context);
        Assert.Equal(ResponseCode.NXDomain, response.Rcode);
        Assert.Equal("Db.Corp.Local.", Assert.Single(response.Questions).Name.ToString());
        Assert.Equal("db.default.svc.cluster.local.", backend.SeenName);
    }

    [Theory]
    // rules, qname, backend's bare RCODE (null: it writes an answer), RCODE the client gets
    [InlineData("rewrite rcode a.nl SERVFAIL NXDOMAIN", "a.nl.", ResponseCode.ServFail, ResponseCode.NXDomain)]
    [InlineData("rewrite rcode exact a.nl SERVFAIL NXDOMAIN", "b.nl.", ResponseCode.ServFail, ResponseCode.ServFail)]
    [InlineData("rewrite rcode suffix .nl 2 3", "x.a.nl.", ResponseCode.ServFail, ResponseCode.NXDomain)]
    [InlineData("rewrite rcode regex .*\\.nl NOERROR refused", "a.nl.", null, ResponseCode.Refused)]
    [InlineData("rewrite continue name a.nl b.nl\nrewrite rcode b.nl NXDOMAIN NOERROR", "a.nl.", ResponseCode.NXDomain, ResponseCode.NoError)]
    public async Task RcodeRulesChangeTheResponseCode(string rules, string name, ResponseCode? backendRcode, ResponseCode expected)
    {
        var (handler, backend) = Build(rules.Replace("\\n", "\n"));
        backend.BareRcode = backendRcode;
        var context = InProcessQuery.Prepare(name, RecordType.A);

        await Process(handler, context);

        var response = InProcessQuery.Parse(context);
        Assert.Equal(expected, response.Rcode);
        Assert.Equal(name, Assert.Single(response.Questions).Name.ToString());
        Assert.Equal(backendRcode is null ? 2 : 0, response.Answers.Count);
    }

    [Fact]
    public async Task AnInvalidResultIsServfailLoggedOncePerRule()
    {
        var logger = new CountingLogger();
        var (handler, backend) = Build("rewrite name exact bad.nl a..b", logger);

        for (int i = 0; i < 3; i++)
        {
            var context = InProcessQuery.Prepare("bad.nl.", RecordType.A);
            await Process(handler, context);
            var response = InProcessQuery.Parse(context);
            Assert.Equal(ResponseCode.ServFail, response.Rcode);
            Assert.Equal("bad.nl.", Assert.Single(response.Questions).Name.ToString());
        }

        Assert.Equal(0, backend.Calls);
        Assert.Equal(1, logger.Errors);
    }

    [Fact]
    public void UnmatchedQueriesAllocateNothing()
    {
        var (handler, _) = Build("rewrite name exact foo.example.com foo.default.svc.cluster.local\n" +
            @"rewrite name regex (.*)\.corp\.local {1}.default.svc.cluster.local answer auto" + "\nrewrite type ANY HINFO\nrewrite ttl suffix .nl 60");
        var context = InProcessQuery.Prepare("www.example.org.", RecordType.A);
        handler.Next = new NextCompletes();
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
    [InlineData(". {\n rewrite\n}\n", 2, "needs a field")]
    [InlineData(". {\n rewrite name regex (.*\\.nl a.nl\n}\n", 2, "invalid regular expression")]
    [InlineData(". {\n rewrite bogus a b\n}\n", 2, "unknown field 'bogus'")]
    [InlineData(". {\n rewrite type A BOGUS\n}\n", 2, "unknown type 'BOGUS'")]
    [InlineData(". {\n rewrite class IN XX\n}\n", 2, "unknown class 'XX'")]
    [InlineData(". {\n rewrite ttl a.nl ten\n}\n", 2, "not SECONDS or MIN-MAX")]
    [InlineData(". {\n rewrite ttl a.nl 20-10\n}\n", 2, "not SECONDS or MIN-MAX")]
    [InlineData(". {\n rewrite name a.nl\n}\n", 2, "'rewrite name' takes")]
    [InlineData(". {\n rewrite name a.nl b.nl answer bogus\n}\n", 2, "'answer' takes auto")]
    [InlineData(". {\n rewrite name a.nl b.nl answer name (x x\n}\n", 2, "invalid regular expression")]
    [InlineData(". {\n\n rewrite edns0 local set 0xffee {server_ip}\n}\n", 3, "{server_ip} is not supported")]
    [InlineData(". {\n rewrite cname bogus a.nl b.nl\n}\n", 2, "unknown match type 'bogus'")]
    [InlineData(". {\n rewrite cname a.nl\n}\n", 2, "'rewrite cname' takes")]
    [InlineData(". {\n rewrite cname regex (x a.nl\n}\n", 2, "invalid regular expression")]
    [InlineData(". {\n rewrite answer name a b\n}\n", 2, "must begin with a name rule")]
    [InlineData(". {\n rewrite rcode a.nl SERVFAIL BOGUS\n}\n", 2, "unknown response code 'BOGUS'")]
    [InlineData(". {\n rewrite rcode a.nl SERVFAIL\n}\n", 2, "'rewrite rcode' takes")]
    public void BadRulesAreErrorsWithTheLine(string corefile, int line, string expected)
    {
        var error = Assert.Throws<CorefileException>(() => Plugins.FilePlugin.PluginSetupHarness.Setup(new RewriteSetup(), corefile, "/tmp/Corefile"));

        Assert.Equal(line, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static (RewriteHandler, RewriteTestBackend) Build(string rules, ILogger? logger = null)
    {
        var document = CorefileParser.Parse(". {\n " + rules.Replace("\n", "\n ") + "\n}\n", "/tmp/Corefile");
        RewriteHandler? handler = null;
        foreach (var directive in document.ServerBlocks[0].Directives)
        {
            var rule = RewriteSetup.Parse(directive);
            if (handler is null)
            {
                handler = new RewriteHandler(rule, logger ?? NullLogger.Instance);
            }
            else
            {
                handler.Add(rule);
            }
        }
        var backend = new RewriteTestBackend();
        handler!.Next = backend;
        return (handler, backend);
    }

    private static ValueTask Process(RewriteHandler handler, DnsQueryContext context)
    {
        var block = new ServerBlockRuntime([DnsName.Root], handler, [handler, handler.Next!]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        return processor.ProcessAsync(context);
    }

    private sealed class NextCompletes : DnsHandler
    {
        public override string Name => "file";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context) => new(HandlerResult.NotWritten(ResponseCode.NXDomain));
    }

    private sealed class CountingLogger : ILogger
    {
        public int Errors;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                Interlocked.Increment(ref Errors);
            }
        }
    }
}
