using ClusterDns.Protocol;
using ClusterDns.Server.Telemetry;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Autopath;
using ClusterDns.Server.Tests.Plugins.Forward;

namespace ClusterDns.Server.Tests.Plugins.Autopath;

/// <summary>
/// Restates coredns/coredns plugin/autopath/autopath_test.go (TestAutoPath, TestAutoPathNoAnswer, TestInSearchPath)
/// with a search list from a resolv.conf, plus what the answer must look like on the wire.
/// </summary>
public sealed class AutopathHandlerTests
{
    private static readonly string[] Search = ["example.org.", "example.com.", "com."];

    private static (AutopathHandler Handler, AutopathTestBackend Backend, AutopathMetrics Metrics) Create(params string[] noData)
    {
        var backend = new AutopathTestBackend(new Dictionary<string, ResponseCode>
        {
            ["b.example.org."] = ResponseCode.NXDomain,
            ["b.com."] = ResponseCode.NoError,
            ["a.example.com."] = ResponseCode.NoError,
            ["d.example.org."] = ResponseCode.NXDomain,
            ["d.example.com."] = ResponseCode.NXDomain,
            ["d.com."] = ResponseCode.NXDomain,
            ["d."] = ResponseCode.NXDomain,
            ["n.example.org."] = ResponseCode.NXDomain,
            ["n.example.com."] = ResponseCode.NoError,
        }, noData);
        var metrics = new AutopathMetrics(new MetricsRegistry(), "dns://:53");
        var options = new AutopathOptions { Zones = [DnsName.Root], Search = Search.Select(DnsName.Parse).ToArray() };
        var handler = new AutopathHandler(options, metrics) { Next = backend };
        return (handler, backend, metrics);
    }

    public static TheoryData<string, string[]> Answers => new()
    {
        // search path expansion: b.example.org is NXDOMAIN, b.example.com unknown (SERVFAIL, not written), b.com answers
        { "b.example.org.", ["b.example.org. 3600 IN CNAME b.com.", "b.com. 3600 IN A 127.0.0.53"] },
        // no search path expansion: not below the first element
        { "a.example.com.", ["a.example.com. 3600 IN A 127.0.0.53"] },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task A_question_for_the_first_element_is_answered_with_a_cname_to_the_first_name_that_exists(string name, string[] answer)
    {
        var (handler, _, _) = Create();

        var response = await TestDns.RunAsync(handler, TestDns.Query(name, edns: true));

        Assert.Equal(ResponseCode.NoError, response.Rcode);
        Assert.Equal(name, response.Questions[0].Name.ToString());
        // Not sorted: the CNAME must come before the records of its target.
        Assert.Equal(answer, response.Answers.Select(Line).ToArray());
        Assert.Empty(response.Authority);
    }

    [Fact]
    public async Task Every_element_failing_without_a_written_answer_writes_nothing()
    {
        var (handler, backend, metrics) = Create();
        var context = TestDns.Context(TestDns.Query("c.example.org."));

        var result = await handler.ServeAsync(context);

        // TestAutoPathNoAnswer: no client write, the server writes the first element's RCODE.
        Assert.False(result.IsWritten);
        Assert.Equal(ResponseCode.ServFail, result.Rcode);
        Assert.Equal(["c.example.org.", "c.example.com.", "c.com.", "c."], backend.Asked);
        Assert.Equal("c.example.org.", DnsName.Format(context.LowerName));
        Assert.Equal(0, metrics.Value);
    }

    [Fact]
    public async Task Every_element_nxdomain_gives_the_client_the_first_answer_with_its_own_question()
    {
        var (handler, backend, metrics) = Create();

        var response = await TestDns.RunAsync(handler, TestDns.Query("D.Example.Org.", edns: true));

        Assert.Equal(ResponseCode.NXDomain, response.Rcode);
        Assert.Equal("D.Example.Org.", response.Questions[0].Name.ToString());
        Assert.Empty(response.Answers);
        Assert.Equal(RecordType.SOA, Assert.Single(response.Authority).Type);
        Assert.Equal(["d.example.org.", "d.example.com.", "d.com.", "d."], backend.Asked);
        Assert.NotNull(response.Edns);
        Assert.Equal(0, metrics.Value);
    }

    [Fact]
    public async Task The_cname_owner_keeps_the_clients_case_and_success_is_counted()
    {
        var (handler, _, metrics) = Create();

        var response = await TestDns.RunAsync(handler, TestDns.Query("B.Example.ORG."));

        Assert.Equal("B.Example.ORG.", response.Questions[0].Name.ToString());
        var cname = response.Answers[0];
        Assert.Equal("B.Example.ORG.", cname.Name.ToString());
        // The base labels keep the client's case too: the name asked was built from its bytes.
        Assert.Equal("B.com.", ((CNameData)cname.Data).Target.ToString());
        Assert.Equal(1, metrics.Value);
    }

    [Fact]
    public async Task A_nodata_answer_still_carries_the_cname_with_the_negative_ttl()
    {
        var (handler, _, _) = Create(noData: "n.example.com.");

        var response = await TestDns.RunAsync(handler, TestDns.Query("n.example.org.", RecordType.AAAA));

        // RFC 2308 §2.2: NODATA for the alias's target is the CNAME plus the target zone's SOA. CoreDNS leaves
        // the CNAME out here (its cnamer copies the first answer's owner, and there is none).
        Assert.Equal(ResponseCode.NoError, response.Rcode);
        var cname = Assert.Single(response.Answers);
        Assert.Equal("n.example.org. 1800 IN CNAME n.example.com.", Line(cname));
        Assert.Equal(RecordType.SOA, Assert.Single(response.Authority).Type);
    }

    [Fact]
    public async Task Only_the_answering_names_cache_flag_is_kept()
    {
        var (handler, backend, _) = Create();
        backend.NotCached.Add("b.example.org.");
        var context = TestDns.Context(TestDns.Query("b.example.org."));

        await handler.ServeAsync(context);

        Assert.False(context.DoNotCache);
        backend.NotCached.Add("b.com.");
        context = TestDns.Context(TestDns.Query("b.example.org."));
        await handler.ServeAsync(context);
        Assert.True(context.DoNotCache);
    }

    [Fact]
    public async Task An_expansion_longer_than_255_bytes_is_skipped()
    {
        var backend = new AutopathTestBackend([]);
        var options = new AutopathOptions { Zones = [DnsName.Root], Search = [DnsName.Parse("a.b."), DnsName.Parse("longer.domain.example.")] };
        var handler = new AutopathHandler(options, new AutopathMetrics(new MetricsRegistry(), "dns://:53")) { Next = backend };
        // A 239-byte base: with a.b. (5 bytes) it fits, with longer.domain.example. (23 bytes) it would not.
        var label = new string('x', 60);
        string baseName = $"{label}.{label}.{label}.{label[..55]}.";

        await TestDns.RunAsync(handler, TestDns.Query(baseName + "a.b."));

        Assert.Equal([baseName + "a.b.", baseName], backend.Asked);
    }

    public static TheoryData<string, bool> FirstElementCases => new()
    {
        // TestInSearchPath, search default.svc.cluster.local. svc.cluster.local. cluster.local.
        { "google.com.", false },
        // CoreDNS says true here and then fails to trim the name to nothing (SERVFAIL); the name itself passes on.
        { "default.svc.cluster.local.", false },
        { "a.default.svc.cluster.local.", true },
        { "a.b.svc.cluster.local.", false },
        // Ours: a label boundary, not a string suffix.
        { "adefault.svc.cluster.local.", false },
    };

    [Theory]
    [MemberData(nameof(FirstElementCases))]
    public void A_walk_starts_only_below_the_first_element(string name, bool walks)
    {
        var first = DnsName.Parse("default.svc.cluster.local.").Wire;
        Assert.Equal(walks, SearchPath.BaseLength(DnsName.Parse(name).Wire, default, first) > 0);
    }

    private static string Line(DnsRecord record) =>
        string.Join(' ', record.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
