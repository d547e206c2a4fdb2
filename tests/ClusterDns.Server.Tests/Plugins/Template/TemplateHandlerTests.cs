using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Template;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using static ClusterDns.Server.Tests.Plugins.FilePlugin.PluginSetupHarness;

namespace ClusterDns.Server.Tests.Plugins.Template;

/// <summary>CoreDNS's template_test.go cases and the README's examples, restated as a table.</summary>
public sealed class TemplateHandlerTests
{
    private const string CorefilePath = "/tmp/Corefile";

    /// <summary>The plugin after template: REFUSED, so "passed on" is visible.</summary>
    private sealed class PassedOn : DnsHandler
    {
        public override string Name => "next";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context) =>
            new(HandlerResult.NotWritten(ResponseCode.Refused));
    }

    private const string IpExample = """
        . {
            template IN A example {
              match (^|[.])ip-(?P<a>[0-9]*)-(?P<b>[0-9]*)-(?P<c>[0-9]*)-(?P<d>[0-9]*)[.]example[.]$
              answer "{{ .Name }} 60 IN A {{ .Group.a }}.{{ .Group.b }}.{{ .Group.c }}.{{ .Group.d }}"
              fallthrough
            }
            template IN PTR in-addr.arpa {
              match ^(?P<d>[0-9]*)[.](?P<c>[0-9]*)[.](?P<b>[0-9]*)[.](?P<a>[0-9]*)[.]in-addr[.]arpa[.]$
              answer "{{ .Name }} 60 IN PTR ip-{{ .Group.a }}-{{ .Group.b }}-{{ .Group.c }}-{{ .Group.d }}.example."
            }
            template IN MX example {
              match ^ip-10-(?P<b>[0-9]*)-(?P<c>[0-9]*)-(?P<d>[0-9]*)[.]example[.]$
              answer "{{ .Name }} 60 IN MX 10 {{ .Name }}"
              additional "{{ .Name }} 60 IN A 10.{{ .Group.b }}.{{ .Group.c }}.{{ .Group.d }}"
              authority "example. 60 IN NS ns0.example."
              fallthrough
            }
        }
        """;

    private const string SearchJunk = """
        . {
            template ANY ANY {
              match "^(?:[^.]+\.){2,}svc\.cluster\.local\.(?:[^.]+\.)+$"
              rcode NXDOMAIN
              authority "{{ .Zone }} 60 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. (1 60 60 60 60)"
              fallthrough
            }
        }
        """;

    private const string Failures = """
        . {
            template IN A example {
              match ^(bad-index)[.]example[.]$
              answer "{{ .Name }} 60 IN A {{ index .Match 5 }}"
              fallthrough
            }
            template IN A example {
              match ^(bad-rr)[.]example[.]$
              answer "{{ .Name }} 60 IN A not-an-address"
              fallthrough
            }
            template IN A example {
              match ^ip0a(?P<b>[a-f0-9]{2})(?P<c>[a-f0-9]{2})(?P<d>[a-f0-9]{2})[.]example[.]$
              answer "{{ .Name }} 60 IN A 10.{{ parseInt .Group.b 16 8 }}.{{ parseInt .Group.c 16 8 }}.{{ parseInt .Group.d 16 8 }}"
            }
        }
        """;

    public static TheoryData<string, string, RecordType, string> Cases => new()
    {
        // corefile, qname, qtype, expected: rcode; answer | authority | additional lines
        { IpExample, "ip-10-95-12-8.example.", RecordType.A, "NoError; ip-10-95-12-8.example. 60 in a 10.95.12.8 | |" },
        // The README's A is a wildcard: any subdomain resolves too.
        { IpExample, "host.ip-10-95-12-8.example.", RecordType.A, "NoError; host.ip-10-95-12-8.example. 60 in a 10.95.12.8 | |" },
        { IpExample, "8.12.95.10.in-addr.arpa.", RecordType.PTR, "NoError; 8.12.95.10.in-addr.arpa. 60 in ptr ip-10-95-12-8.example. | |" },
        { IpExample, "ip-10-95-12-8.example.", RecordType.MX, "NoError; ip-10-95-12-8.example. 60 in mx 10 ip-10-95-12-8.example. | example. 60 in ns ns0.example. | ip-10-95-12-8.example. 60 in a 10.95.12.8" },
        // Zone matches, regex does not, fallthrough: the next plugin.
        { IpExample, "other.example.", RecordType.A, "passed" },
        // Regex miss without fallthrough: SERVFAIL (CoreDNS's template.go).
        { IpExample, "nothing.in-addr.arpa.", RecordType.PTR, "ServFail" },
        // Type or class that no template handles, or a name outside every zone: the next plugin.
        { IpExample, "ip-10-95-12-8.example.", RecordType.TXT, "passed" },
        { IpExample, "www.example.org.", RecordType.A, "passed" },
        // Search-path junk under the cluster zone is NXDOMAIN with a SOA; a real name passes on.
        { SearchJunk, "kubernetes.default.svc.cluster.local.default.svc.cluster.local.", RecordType.A, "NXDomain; | . 60 in soa ns.dns.cluster.local. hostmaster.cluster.local. 1 60 60 60 60 |" },
        { SearchJunk, "redis.prod.svc.cluster.local.svc.cluster.local.", RecordType.AAAA, "NXDomain; | . 60 in soa ns.dns.cluster.local. hostmaster.cluster.local. 1 60 60 60 60 |" },
        { SearchJunk, "kubernetes.default.svc.cluster.local.", RecordType.A, "passed" },
        { SearchJunk, "www.google.com.default.svc.cluster.local.", RecordType.AAAA, "passed" },
        { SearchJunk, "www.google.com.", RecordType.A, "passed" },
        // Blocking AAAA: NODATA for every AAAA, A passes on.
        { ". {\n template IN AAAA . {\n  rcode NOERROR\n }\n}", "www.example.org.", RecordType.AAAA, "NoError; | |" },
        { ". {\n template IN AAAA . {\n  rcode NOERROR\n }\n}", "www.example.org.", RecordType.A, "passed" },
        // README: everything NXDOMAIN.
        { ". {\n template ANY ANY {\n  rcode NXDOMAIN\n }\n}", "a.b.", RecordType.MX, "NXDomain; | |" },
        // An ANY question matches a typed template, which answers with its own type (.Type is the template's).
        { ". {\n template IN A {\n  answer \"{{ .Name }} 5 IN TXT {{ .Type }}\"\n }\n}", "q.", RecordType.ANY, "NoError; q. 5 in txt \"a\" | |" },
        // Template data: .Class, .Zone, index .Match, .Group by number, .Remote, .Question.
        { ". {\n template IN TXT example {\n  match ^(?P<x>[a-z]+)[.]example[.]$\n  answer \"{{ .Name }} 5 {{ .Class }} TXT \\\"{{ .Zone }}\\\" {{ index .Match 1 }} {{ .Group.x }} {{ index .Group `1` }} {{ .Remote }}\"\n }\n}",
            "Abc.Example.", RecordType.TXT, "NoError; abc.example. 5 in txt \"example.\" \"abc\" \"abc\" \"abc\" \"127.0.0.1\" | |" },
        // Failures answer SERVFAIL: a template that fails to execute, an RR that does not parse.
        { Failures, "bad-index.example.", RecordType.A, "ServFail" },
        { Failures, "bad-rr.example.", RecordType.A, "ServFail" },
        // README: parseInt of hexadecimal groups.
        { Failures, "ip0a7b7b7b.example.", RecordType.A, "NoError; ip0a7b7b7b.example. 60 in a 10.123.123.123 | |" },
        // Several templates in order: the first that matches answers.
        { ". {\n template IN A {\n  match ^a[.]$\n  answer \"a. 1 IN A 192.0.2.1\"\n  fallthrough\n }\n template IN A {\n  answer \"{{ .Name }} 2 IN A 192.0.2.2\"\n }\n}", "a.", RecordType.A, "NoError; a. 1 in a 192.0.2.1 | |" },
        { ". {\n template IN A {\n  match ^a[.]$\n  answer \"a. 1 IN A 192.0.2.1\"\n  fallthrough\n }\n template IN A {\n  answer \"{{ .Name }} 2 IN A 192.0.2.2\"\n }\n}", "b.", RecordType.A, "NoError; b. 2 in a 192.0.2.2 | |" },
        // fallthrough limited to zones.
        { ". {\n template IN A {\n  match ^x[.]\n  fallthrough in-addr.arpa\n }\n}", "y.in-addr.arpa.", RecordType.A, "passed" },
        { ". {\n template IN A {\n  match ^x[.]\n  fallthrough in-addr.arpa\n }\n}", "y.example.", RecordType.A, "ServFail" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AnswersAsCoreDnsDoes(string corefile, string name, RecordType type, string expected)
    {
        var handler = Build(corefile, out _);
        var context = InProcessQuery.Prepare(name, type);
        context.RemoteAddress = new IPEndPoint(IPAddress.Loopback, 5353).Serialize();

        await Process(handler, context);

        Assert.Equal(expected, Describe(context));
    }

    [Fact]
    public async Task ExtendedErrorIsInTheOptRecord()
    {
        var handler = Build(". {\n template ANY ANY invalid {\n  rcode NXDOMAIN\n  ederror 21 \"Blocked according to RFC2606\"\n }\n}", out _);
        var context = InProcessQuery.Prepare("foo.invalid.", RecordType.A);

        await Process(handler, context);

        var response = InProcessQuery.Parse(context);
        Assert.Equal(ResponseCode.NXDomain, response.Rcode);
        var option = Assert.Single(response.Edns!.Options);
        Assert.Equal(EdnsOption.ExtendedError, option.Code);
        Assert.Equal([0, 21, .. "Blocked according to RFC2606"u8.ToArray()], option.Data);
    }

    [Fact]
    public async Task MetricsCountMatchesAndFailures()
    {
        var handler = Build(Failures, out var block);

        await Process(handler, InProcessQuery.Prepare("bad-index.example.", RecordType.A));
        await Process(handler, InProcessQuery.Prepare("bad-rr.example.", RecordType.A));
        await Process(handler, InProcessQuery.Prepare("ip0a010203.example.", RecordType.A));

        string scrape = block.Context.Metrics.Scrape();
        Assert.Contains("coredns_template_matches_total{server=\"dns://:53\",zone=\"example.\",view=\"\",class=\"IN\",type=\"A\"} 3", scrape);
        Assert.Contains("coredns_template_template_failures_total{server=\"dns://:53\",zone=\"example.\",view=\"\",class=\"IN\",type=\"A\",section=\"answer\"", scrape);
        Assert.Contains("coredns_template_rr_failures_total{server=\"dns://:53\",zone=\"example.\",view=\"\",class=\"IN\",type=\"A\",section=\"answer\"", scrape);
    }

    [Fact]
    public void QueriesNoTemplateMatchesAllocateNothing()
    {
        var handler = Build(SearchJunk.Replace("template ANY ANY {", "template IN AAAA cluster.local {", StringComparison.Ordinal), out _);
        // Outside the zone, another type, and inside the zone with a regex miss (fallthrough).
        DnsQueryContext[] contexts =
        [
            InProcessQuery.Prepare("www.example.org.", RecordType.AAAA),
            InProcessQuery.Prepare("kubernetes.default.svc.cluster.local.", RecordType.A),
            InProcessQuery.Prepare("kubernetes.default.svc.cluster.local.", RecordType.AAAA),
        ];
        foreach (var context in contexts)
        {
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
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Theory]
    [InlineData(". {\n template IN\n}\n", 2, "needs CLASS and TYPE")]
    [InlineData(". {\n template XX A\n}\n", 2, "invalid query class 'XX'")]
    [InlineData(". {\n template IN BOGUS\n}\n", 2, "invalid RR type 'BOGUS'")]
    [InlineData(". {\n template IN A {\n  match \"(unclosed\"\n }\n}\n", 3, "invalid regex '(unclosed'")]
    [InlineData(". {\n template IN A {\n  answer \"{{ .Name \"\n }\n}\n", 3, "unclosed action")]
    [InlineData(". {\n template IN A {\n  answer \"{{ .Nope }}\"\n }\n}\n", 3, "can't evaluate field Nope")]
    [InlineData(". {\n template IN A {\n  answer \"{{ nofunc .Name }}\"\n }\n}\n", 3, "function \"nofunc\" not defined")]
    [InlineData(". {\n template IN A {\n  answer \"{{ index .Match }}\"\n }\n}\n", 3, "wrong number of args for index")]
    [InlineData(". {\n template IN A {\n  rcode WHAT\n }\n}\n", 3, "invalid rcode 'WHAT'")]
    [InlineData(". {\n template IN A {\n  ederror 99\n }\n}\n", 3, "invalid extended error code '99'")]
    [InlineData(". {\n template IN A {\n  bogus\n }\n}\n", 3, "unknown property 'bogus'")]
    public void BadTemplatesAreErrorsWithTheLine(string corefile, int line, string expected)
    {
        var error = Assert.Throws<CorefileException>(() => Setup(new TemplateSetup(), corefile, CorefilePath));

        Assert.Equal(line, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static TemplateHandler Build(string corefile, out ServerBlockBuilder block)
    {
        block = Setup(new TemplateSetup(), corefile, CorefilePath);
        var handler = Handler<TemplateHandler>(block);
        handler.Next = new PassedOn();
        return handler;
    }

    private static ValueTask Process(TemplateHandler handler, DnsQueryContext context)
    {
        var runtime = new ServerBlockRuntime([DnsName.Root], handler, [handler, handler.Next!]);
        var processor = new QueryProcessor(new ZoneRouter([runtime]), NullQueryObserver.Instance, NullLogger.Instance);
        return processor.ProcessAsync(context);
    }

    private static string Describe(DnsQueryContext context)
    {
        var response = InProcessQuery.Parse(context);
        if (response.Rcode == ResponseCode.Refused)
        {
            return "passed";
        }
        if (response.Rcode == ResponseCode.ServFail)
        {
            return "ServFail";
        }
        string text = $"{response.Rcode}; {string.Join(", ", InProcessQuery.Lines(response.Answers))} | {string.Join(", ", InProcessQuery.Lines(response.Authority))} | {string.Join(", ", InProcessQuery.Lines(response.Additional))}";
        return text.Replace("  ", " ", StringComparison.Ordinal).TrimEnd();
    }
}
