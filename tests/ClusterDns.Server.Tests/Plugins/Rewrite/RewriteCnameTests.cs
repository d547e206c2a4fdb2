using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Rewrite;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Rewrite;

/// <summary>
/// Restates coredns/coredns plugin/rewrite's cname_target_test.go: a CNAME whose target matches gets the new
/// target, and the new target's records (resolved through the server's own pipeline, CoreDNS's upstream) follow it.
/// </summary>
public sealed class RewriteCnameTests
{
    private const string Rules = """
        rewrite continue cname exact def.example.com. xyz.example.com.
        rewrite continue cname prefix chat.openai.com bard.google.com
        rewrite continue cname suffix uvw. xyz.
        rewrite continue cname substring efgh zzzz.www
        rewrite continue cname regex (.*)\.web\.(.*)\.site\. {1}.webapp.{2}.org.
        """;

    /// <summary>What the zone behind rewrite holds: CoreDNS's test answers, and its mocked upstream's.</summary>
    private static readonly Dictionary<(string, RecordType), DnsRecord[]> Zone = new()
    {
        [("abc.example.com.", RecordType.A)] = [Cname("abc.example.com.", 5, "def.example.com."), A("def.example.com.", 5, "1.2.3.4")],
        [("abc.example.com.", RecordType.AAAA)] = [Cname("abc.example.com.", 5, "def.example.com."), Aaaa("def.example.com.", 5, "2a01:7e00::f03c:91ff:fe79:234c")],
        [("chat.openai.com.", RecordType.A)] = [Cname("chat.openai.com.", 20, "chat.openai.com.cdn.cloudflare.net."),
            A("chat.openai.com.cdn.cloudflare.net.", 30, "23.2.1.2"), A("chat.openai.com.cdn.cloudflare.net.", 30, "24.6.0.8")],
        [("coredns.io.", RecordType.A)] = [Cname("coredns.io.", 100, "www.hosting.uvw."), A("www.hosting.uvw.", 200, "7.2.3.4")],
        [("core.dns.rocks.", RecordType.A)] = [Cname("core.dns.rocks.", 200, "abcd.efgh.pqrst."), A("abcd.efgh.pqrst.", 100, "200.30.45.67")],
        [("order.service.eu.", RecordType.A)] = [Cname("order.service.eu.", 200, "orders.web.eu.site."), A("orders.web.eu.site.", 50, "10.10.15.1")],
        [("xyz.example.com.", RecordType.A)] = [A("xyz.example.com.", 3600, "3.4.5.6")],
        [("xyz.example.com.", RecordType.AAAA)] = [Aaaa("xyz.example.com.", 3600, "3a01:7e00::f03c:91ff:fe79:234c")],
        [("bard.google.com.cdn.cloudflare.net.", RecordType.A)] = [A("bard.google.com.cdn.cloudflare.net.", 1800, "9.7.2.1")],
        [("www.hosting.xyz.", RecordType.A)] = [A("www.hosting.xyz.", 500, "20.30.40.50")],
        [("abcd.zzzz.www.pqrst.", RecordType.A)] = [A("abcd.zzzz.www.pqrst.", 120, "101.20.5.1"), A("abcd.zzzz.www.pqrst.", 120, "101.20.5.2")],
        [("orders.webapp.eu.org.", RecordType.A)] = [A("orders.webapp.eu.org.", 120, "20.0.0.9")],
    };

    public static TheoryData<string, RecordType, string[]> Cases => new()
    {
        { "abc.example.com.", RecordType.A, ["abc.example.com. 5 in cname xyz.example.com.", "xyz.example.com. 3600 in a 3.4.5.6"] },
        { "abc.example.com.", RecordType.AAAA, ["abc.example.com. 5 in cname xyz.example.com.", "xyz.example.com. 3600 in aaaa 3a01:7e00::f03c:91ff:fe79:234c"] },
        { "chat.openai.com.", RecordType.A, ["bard.google.com.cdn.cloudflare.net. 1800 in a 9.7.2.1", "chat.openai.com. 20 in cname bard.google.com.cdn.cloudflare.net."] },
        { "coredns.io.", RecordType.A, ["coredns.io. 100 in cname www.hosting.xyz.", "www.hosting.xyz. 500 in a 20.30.40.50"] },
        { "core.dns.rocks.", RecordType.A, ["abcd.zzzz.www.pqrst. 120 in a 101.20.5.1", "abcd.zzzz.www.pqrst. 120 in a 101.20.5.2",
            "core.dns.rocks. 200 in cname abcd.zzzz.www.pqrst."] },
        { "order.service.eu.", RecordType.A, ["order.service.eu. 200 in cname orders.webapp.eu.org.", "orders.webapp.eu.org. 120 in a 20.0.0.9"] },
        // No CNAME, or a target no rule matches: the answer is as it was.
        { "xyz.example.com.", RecordType.A, ["xyz.example.com. 3600 in a 3.4.5.6"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task MatchingCnameTargetsAreRewrittenAndResolved(string name, RecordType type, string[] expected)
    {
        var processor = Build(Rules);
        var context = InProcessQuery.Prepare(name, type);

        await processor.ProcessAsync(context);

        var response = InProcessQuery.Parse(context);
        Assert.Equal(name, Assert.Single(response.Questions).Name.ToString());
        Assert.Equal(expected, InProcessQuery.Lines(response.Answers));
    }

    [Fact]
    public async Task ACnameRuleAppliesToEveryQuerySoWithStopLaterRulesDoNotRun()
    {
        // As CoreDNS: a cname rule is "done" for every query, so 'stop' (the default) ends the rules there.
        var processor = Build("rewrite cname exact nothing.example. other.example.\nrewrite name exact abc.example.com. xyz.example.com.");
        var context = InProcessQuery.Prepare("abc.example.com.", RecordType.A);

        await processor.ProcessAsync(context);

        Assert.Contains("abc.example.com. 5 in cname def.example.com.", InProcessQuery.Lines(InProcessQuery.Parse(context).Answers));
    }

    [Fact]
    public async Task AnInvalidNewTargetIsServfailLoggedOncePerRule()
    {
        var logger = new ErrorCounter();
        var processor = Build("rewrite continue name exact abc.example.org. abc.example.com.\n" +
            "rewrite cname regex (.*)\\.example\\.com\\. {1}..bad.", logger);

        for (int i = 0; i < 3; i++)
        {
            var context = InProcessQuery.Prepare("abc.example.org.", RecordType.A);
            await processor.ProcessAsync(context);
            var response = InProcessQuery.Parse(context);
            Assert.Equal(ResponseCode.ServFail, response.Rcode);
            Assert.Equal("abc.example.org.", Assert.Single(response.Questions).Name.ToString());
            Assert.Empty(response.Answers);
        }

        Assert.Equal(1, logger.Errors);
    }

    private static QueryProcessor Build(string rules, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var document = CorefileParser.Parse(". {\n " + rules.Replace("\n", "\n ") + "\n}\n", "/tmp/Corefile");
        var resolver = new InternalResolver();
        RewriteHandler? handler = null;
        foreach (var directive in document.ServerBlocks[0].Directives)
        {
            var rule = RewriteSetup.Parse(directive);
            if (handler is null)
            {
                handler = new RewriteHandler(rule, logger ?? NullLogger.Instance, resolver);
            }
            else
            {
                handler.Add(rule);
            }
        }
        var backend = new ZoneBackend();
        handler!.Next = backend;
        var router = new ZoneRouter([new ServerBlockRuntime([DnsName.Root], handler, [handler, backend])]);
        resolver.Attach(router);
        return new QueryProcessor(router, NullQueryObserver.Instance, NullLogger.Instance);
    }

    private static DnsRecord A(string name, uint ttl, string address) => new(DnsName.Parse(name), ttl, new AData(IPAddress.Parse(address)));

    private static DnsRecord Aaaa(string name, uint ttl, string address) => new(DnsName.Parse(name), ttl, new AaaaData(IPAddress.Parse(address)));

    private static DnsRecord Cname(string name, uint ttl, string target) => new(DnsName.Parse(name), ttl, new CNameData(DnsName.Parse(target)));

    /// <summary>Answers from <see cref="Zone"/>; NXDOMAIN for anything else.</summary>
    private sealed class ZoneBackend : DnsHandler
    {
        public override string Name => "file";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            if (!Zone.TryGetValue((DnsName.Format(context.LowerName), context.QuestionType), out var records))
            {
                return new(HandlerResult.NotWritten(ResponseCode.NXDomain));
            }
            var writer = context.BeginResponse();
            foreach (var record in records)
            {
                writer.TryBeginRecord(record.Name.Wire, record.Type, (ushort)record.Class, record.Ttl, out var inProgress);
                record.Data.TryWrite(ref writer);
                writer.EndRecord(inProgress, MessageSection.Answer);
            }
            context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated: false);
            return new(HandlerResult.Written(ResponseCode.NoError));
        }
    }

    private sealed class ErrorCounter : Microsoft.Extensions.Logging.ILogger
    {
        public int Errors;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= Microsoft.Extensions.Logging.LogLevel.Error)
            {
                Interlocked.Increment(ref Errors);
            }
        }
    }
}
