using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Acl;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using static ClusterDns.Server.Tests.Plugins.FilePlugin.PluginSetupHarness;

namespace ClusterDns.Server.Tests.Plugins.Acl;

public sealed class AclHandlerTests
{
    private const string CorefilePath = "/tmp/Corefile";

    /// <summary>The handler after acl: answers NXDOMAIN, so "passed on" is visible in the response.</summary>
    private sealed class PassedOn : DnsHandler
    {
        public override string Name => "file";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context) =>
            new(HandlerResult.NotWritten(ResponseCode.NXDomain));
    }

    private const string Mixed = """
        example.org {
            acl {
                drop net 192.0.2.66
                block type ANY
                filter type AAAA net 10.0.0.0/8 2001:db8::/32
                allow net 192.168.1.0/24 ::ffff:172.16.0.0/108
                block net *
            }
        }
        """;

    public static TheoryData<string, string, string, RecordType, string> Cases => new()
    {
        // corefile, client, qname, qtype, outcome
        { Mixed, "192.0.2.66", "www.example.org.", RecordType.A, "drop" },
        { Mixed, "::ffff:192.0.2.66", "www.example.org.", RecordType.A, "drop" },
        { Mixed, "192.168.1.7", "www.example.org.", RecordType.ANY, "refused" },
        { Mixed, "10.1.2.3", "www.example.org.", RecordType.AAAA, "nodata" },
        { Mixed, "2001:db8::1", "www.example.org.", RecordType.AAAA, "nodata" },
        { Mixed, "10.1.2.3", "www.example.org.", RecordType.A, "refused" },
        { Mixed, "192.168.1.7", "www.example.org.", RecordType.A, "passed" },
        { Mixed, "172.16.9.9", "www.example.org.", RecordType.A, "passed" },
        { Mixed, "::ffff:172.16.9.9", "www.example.org.", RecordType.A, "passed" },
        { Mixed, "192.168.2.7", "www.example.org.", RecordType.A, "refused" },
        { Mixed, "2001:db9::1", "www.example.org.", RecordType.AAAA, "refused" },
        // Prefix boundaries that do not fall on a byte.
        { ". {\n acl {\n  block net 10.0.0.128/25\n }\n}", "10.0.0.127", "a.", RecordType.A, "passed" },
        { ". {\n acl {\n  block net 10.0.0.128/25\n }\n}", "10.0.0.128", "a.", RecordType.A, "refused" },
        { ". {\n acl {\n  block net 0.0.0.0/0\n }\n}", "203.0.113.1", "a.", RecordType.A, "refused" },
        { ". {\n acl {\n  block net 0.0.0.0/0\n }\n}", "2001:db8::1", "a.", RecordType.A, "passed" },
        // No rule matches: allowed.
        { ". {\n acl {\n  block type MX\n }\n}", "10.0.0.1", "a.", RecordType.A, "passed" },
        // Zones: only names under them are checked.
        { ". {\n acl internal.example {\n  block\n }\n}", "10.0.0.1", "www.example.", RecordType.A, "passed" },
        { ". {\n acl internal.example {\n  block\n }\n}", "10.0.0.1", "DB.Internal.Example.", RecordType.A, "refused" },
        // First acl whose rule matches decides; an allow stops the later acl directives (as CoreDNS).
        { ". {\n acl {\n  allow net 10.0.0.0/8\n }\n acl {\n  block\n }\n}", "10.0.0.1", "a.", RecordType.A, "passed" },
        { ". {\n acl {\n  allow net 10.0.0.0/8\n }\n acl {\n  block\n }\n}", "11.0.0.1", "a.", RecordType.A, "refused" },
        // type * and net * are explicit wildcards.
        { ". {\n acl {\n  filter type * net *\n }\n}", "10.0.0.1", "a.", RecordType.TXT, "nodata" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task FirstMatchingRuleDecides(string corefile, string client, string name, RecordType type, string outcome)
    {
        var handler = Build(corefile);
        var context = InProcessQuery.Prepare(name, type);
        context.RemoteAddress = new IPEndPoint(IPAddress.Parse(client), 5353).Serialize();

        await Process(handler, context);

        Assert.Equal(outcome, Describe(context));
    }

    [Fact]
    public async Task DropSendsNothingEvenOverTcp()
    {
        var handler = Build(". {\n acl {\n  drop\n }\n}");
        var context = InProcessQuery.Prepare("a.", RecordType.A, TransportKind.Tcp);

        await Process(handler, context);

        Assert.Equal(0, context.ResponseLength);
    }

    [Fact]
    public async Task BlockedAnswerKeepsTheQuestionAndId()
    {
        var handler = Build(". {\n acl {\n  block\n }\n}");
        var context = InProcessQuery.Prepare("www.example.org.", RecordType.A);

        await Process(handler, context);

        var response = InProcessQuery.Parse(context);
        Assert.Equal(0x1234, response.Header.Id);
        Assert.Equal(ResponseCode.Refused, response.Rcode);
        Assert.Equal("www.example.org.", Assert.Single(response.Questions).Name.ToString());
        Assert.NotNull(response.Edns);
    }

    [Fact]
    public void AllowPathAllocatesNothing()
    {
        var handler = Build(Mixed);
        var context = InProcessQuery.Prepare("www.example.org.", RecordType.A);
        context.RemoteAddress = new IPEndPoint(IPAddress.Parse("::ffff:192.168.1.7"), 5353).Serialize();
        for (int i = 0; i < 100; i++)
        {
            _ = handler.ServeAsync(context);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            var result = handler.ServeAsync(context);
            Assert.True(result.IsCompletedSuccessfully);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(". {\n acl\n}\n", 2, "needs a block")]
    [InlineData(". {\n acl {\n  permit\n }\n}\n", 3, "unknown action 'permit'")]
    [InlineData(". {\n acl {\n  block type BOGUS\n }\n}\n", 3, "unknown query type 'BOGUS'")]
    [InlineData(". {\n acl {\n  block net 10.0.0.0/33\n }\n}\n", 3, "prefix length must be 0 to 32")]
    [InlineData(". {\n acl {\n  block net 2001:db8::/129\n }\n}\n", 3, "prefix length must be 0 to 128")]
    [InlineData(". {\n acl {\n  block net not-an-address\n }\n}\n", 3, "not an IP address or CIDR range")]
    [InlineData(". {\n acl {\n  block 10.0.0.1\n }\n}\n", 3, "expected 'type' or 'net' before '10.0.0.1'")]
    [InlineData(". {\n acl {\n  block type net 10.0.0.1\n }\n}\n", 3, "'type' needs at least one value")]
    [InlineData(". {\n acl {\n  block net\n }\n}\n", 3, "'net' needs at least one value")]
    public void BadRulesAreErrorsWithTheLine(string corefile, int line, string expected)
    {
        var error = Assert.Throws<CorefileException>(() => Setup(new AclSetup(), corefile, CorefilePath));

        Assert.Equal(line, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralAclDirectivesShareOneHandler()
    {
        var block = Setup(new AclSetup(), ". {\n acl a.example {\n  block\n }\n acl b.example {\n  drop\n }\n}\n", CorefilePath);

        var handler = Handler<AclHandler>(block);
        Assert.Equal(["a.example.", "b.example."], handler.Acls.Select(a => a.Zones.Single().ToString()));
    }

    private static AclHandler Build(string corefile)
    {
        var handler = Handler<AclHandler>(Setup(new AclSetup(), corefile, CorefilePath));
        handler.Next = new PassedOn();
        return handler;
    }

    private static ValueTask Process(AclHandler handler, DnsQueryContext context)
    {
        var block = new ServerBlockRuntime([DnsName.Root], handler, [handler, handler.Next!]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        return processor.ProcessAsync(context);
    }

    private static string Describe(DnsQueryContext context)
    {
        if (context.ResponseLength == 0)
        {
            return "drop";
        }
        var response = InProcessQuery.Parse(context);
        return response.Rcode switch
        {
            ResponseCode.NXDomain => "passed",
            ResponseCode.Refused => "refused",
            ResponseCode.NoError when response.Answers.Count == 0 && response.Authority.Count == 0 => "nodata",
            var other => other.ToString(),
        };
    }
}
