using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Telemetry;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Dns64;
using ClusterDns.Server.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Dns64;

/// <summary>Restates coredns/coredns plugin/dns64/dns64_test.go (TestDNS64, TestResponseShould) and RFC 6147's rules CoreDNS leaves out.</summary>
public sealed class Dns64HandlerTests
{
    private static readonly string[] None = [];
    private const string Soa70 = "example.com. 70 IN SOA foo. bar. 1 1 1 1 1";
    private const string Soa3600 = "example.com. 3600 IN SOA foo. bar. 1 7200 900 1209600 86400";
    private static readonly string[] TwoA = ["example.com. 60 IN A 192.0.2.42", "example.com. 5000 IN A 192.0.2.43"];

    [Fact]
    public async Task Standard_flow_synthesises_from_a_and_caps_the_ttl_at_the_soa_ttl()
    {
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.NoError, None, [Soa70])
            .On(RecordType.A, ResponseCode.NoError, TwoA);
        var (response, handler) = await AskAsync(backend);

        Assert.Equal(ResponseCode.NoError, response.Rcode);
        Assert.Equal(Lines("example.com. 60 IN AAAA 64:ff9b::192.0.2.42", "example.com. 70 IN AAAA 64:ff9b::192.0.2.43"),
            InProcessQuery.Lines(response.Answers));
        Assert.Equal((RecordType.AAAA, "example.com."), (response.Questions[0].Type, response.Questions[0].Name.ToString()));
        Assert.Equal(42, response.Header.Id);
        Assert.False(response.Header.AuthoritativeAnswer);
        Assert.Equal([RecordType.AAAA, RecordType.A], backend.Seen.Select(s => s.Type));
        Assert.Contains("coredns_dns64_requests_translated_total{server=\"dns://:53\"} 1", handler.Registry.Scrape());
    }

    [Fact]
    public async Task A_empty_keeps_the_nodata_answer()
    {
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.NoError, None, [Soa3600])
            .On(RecordType.A, ResponseCode.NoError, None, [Soa3600]);
        var (response, handler) = await AskAsync(backend);

        Assert.Equal(ResponseCode.NoError, response.Rcode);
        Assert.Empty(response.Answers);
        Assert.Equal(Lines(Soa3600), InProcessQuery.Lines(response.Authority));
        Assert.Equal(0, handler.Metrics.Value);
    }

    [Fact]
    public async Task Non_nxdomain_error_is_treated_as_empty_and_without_soa_the_ttl_cap_is_600()
    {
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.Refused, None)
            .On(RecordType.A, ResponseCode.NoError, TwoA);
        var (response, _) = await AskAsync(backend);

        Assert.Equal(ResponseCode.NoError, response.Rcode);
        Assert.Equal(Lines("example.com. 60 IN AAAA 64:ff9b::192.0.2.42", "example.com. 600 IN AAAA 64:ff9b::192.0.2.43"),
            InProcessQuery.Lines(response.Answers));
    }

    [Fact]
    public async Task Nxdomain_is_passed_on_without_an_a_lookup()
    {
        var backend = new Dns64Backend().On(RecordType.AAAA, ResponseCode.NXDomain, None, [Soa3600]);
        var (response, _) = await AskAsync(backend);

        Assert.Equal(ResponseCode.NXDomain, response.Rcode);
        Assert.Equal(Lines(Soa3600), InProcessQuery.Lines(response.Authority));
        Assert.Equal([RecordType.AAAA], backend.Seen.Select(s => s.Type));
    }

    [Fact]
    public async Task An_aaaa_answer_is_passed_on_without_an_a_lookup()
    {
        string[] aaaa = ["example.com. 60 IN AAAA ::1", "example.com. 5000 IN AAAA ::2"];
        var backend = new Dns64Backend().On(RecordType.AAAA, ResponseCode.NoError, aaaa);
        var (response, _) = await AskAsync(backend);

        Assert.Equal(Lines(aaaa), InProcessQuery.Lines(response.Answers));
        Assert.Equal([RecordType.AAAA], backend.Seen.Select(s => s.Type));
    }

    [Fact]
    public async Task A_truncated_a_answer_gives_a_truncated_synthesis()
    {
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.NoError, None, [Soa70])
            .On(RecordType.A, ResponseCode.NoError, TwoA, truncated: true);
        var (response, _) = await AskAsync(backend);

        Assert.True(response.Header.Truncated);
        Assert.Equal(Lines("example.com. 60 IN AAAA 64:ff9b::192.0.2.42", "example.com. 70 IN AAAA 64:ff9b::192.0.2.43"),
            InProcessQuery.Lines(response.Answers));
    }

    public static TheoryData<string, ResponseCode, string[], bool, bool> ResponseShouldCases => new()
    {
        // TestResponseShould: the AAAA answer, translate_all → whether an A lookup follows
        { "an AAAA record", ResponseCode.NoError, ["example.com. 60 IN AAAA ::1"], false, false },
        { "no AAAA record", ResponseCode.NoError, [], false, true },
        { "an error other than NXDOMAIN", ResponseCode.NotImp, [], false, true },
        { "SERVFAIL", ResponseCode.ServFail, [], false, true },
        { "NXDOMAIN", ResponseCode.NXDomain, [], false, false },
        { "an AAAA record with translate_all", ResponseCode.NoError, ["example.com. 60 IN AAAA ::1"], true, true },
        { "NXDOMAIN with translate_all", ResponseCode.NXDomain, [], true, false },
        // RFC 6147 section 5.1.4: ::ffff:0:0/96 records do not count as AAAA records.
        { "only an IPv4-mapped AAAA record", ResponseCode.NoError, ["example.com. 60 IN AAAA ::ffff:192.0.2.1"], false, true },
        { "a CNAME and no AAAA", ResponseCode.NoError, ["example.com. 60 IN CNAME target.example.com."], false, true },
    };

    [Theory]
    [MemberData(nameof(ResponseShouldCases))]
    public async Task These_answers_are_translated_and_these_left_alone(string why, ResponseCode rcode, string[] answer, bool translateAll, bool translated)
    {
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, rcode, answer, [Soa70])
            .On(RecordType.A, ResponseCode.NoError, TwoA);
        var (response, _) = await AskAsync(backend, new Dns64Options { TranslateAll = translateAll });

        Assert.True(translated == backend.Seen.Any(s => s.Type == RecordType.A), why);
        Assert.Equal(translated, response.Answers.Any(r => r.Data.ToString()!.StartsWith("64:ff9b::", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Translate_all_replaces_real_aaaa_records()
    {
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.NoError, ["example.com. 60 IN AAAA 2001:db8::1"])
            .On(RecordType.A, ResponseCode.NoError, ["example.com. 30 IN A 192.0.2.1"]);
        var (response, _) = await AskAsync(backend, new Dns64Options { TranslateAll = true });

        Assert.Equal(Lines("example.com. 30 IN AAAA 64:ff9b::192.0.2.1"), InProcessQuery.Lines(response.Answers));
    }

    [Fact]
    public async Task Translate_all_keeps_real_aaaa_records_when_there_is_no_a_record()
    {
        // CoreDNS answers an empty NOERROR here, losing the real AAAA records; without A records there is nothing to synthesise (RFC 6147 section 5.1), so the AAAA answer stands.
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.NoError, ["example.com. 60 IN AAAA 2001:db8::1"])
            .On(RecordType.A, ResponseCode.NoError, None, [Soa70]);
        var (response, _) = await AskAsync(backend, new Dns64Options { TranslateAll = true });

        Assert.Equal(Lines("example.com. 60 IN AAAA 2001:db8::1"), InProcessQuery.Lines(response.Answers));
    }

    [Fact]
    public async Task A_cname_chain_is_kept_and_the_target_addresses_are_synthesised()
    {
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.NoError, ["example.com. 300 IN CNAME www.example.net."], ["example.net. 120 IN SOA ns. host. 1 2 3 4 5"])
            .On(RecordType.A, ResponseCode.NoError, ["example.com. 300 IN CNAME www.example.net.", "www.example.net. 3600 IN A 198.51.100.7"]);
        var (response, _) = await AskAsync(backend);

        Assert.Equal(Lines("example.com. 300 IN CNAME www.example.net.", "www.example.net. 120 IN AAAA 64:ff9b::198.51.100.7"),
            InProcessQuery.Lines(response.Answers));
    }

    [Fact]
    public async Task Bare_errors_from_the_chain_are_empty_answers_and_stand_when_a_fails_too()
    {
        var servfail = new Dns64Backend().Bare(RecordType.AAAA, ResponseCode.ServFail).On(RecordType.A, ResponseCode.NoError, TwoA);
        var (synthesised, _) = await AskAsync(servfail);
        Assert.Equal(2, synthesised.Answers.Count);

        var both = new Dns64Backend().Bare(RecordType.AAAA, ResponseCode.ServFail).Bare(RecordType.A, ResponseCode.ServFail);
        var (failed, handler) = await AskAsync(both);
        Assert.Equal(ResponseCode.ServFail, failed.Rcode);
        Assert.Empty(failed.Answers);
        Assert.Equal(0, handler.Metrics.Value);
    }

    [Fact]
    public async Task A_truncated_aaaa_answer_is_left_alone()
    {
        var backend = new Dns64Backend().On(RecordType.AAAA, ResponseCode.NoError, None, truncated: true);
        var (response, _) = await AskAsync(backend);

        Assert.True(response.Header.Truncated);
        Assert.Equal([RecordType.AAAA], backend.Seen.Select(s => s.Type));
    }

    [Theory]
    [InlineData("127.0.0.1", false, false)]
    [InlineData("::ffff:127.0.0.1", false, false)]
    [InlineData("127.0.0.1", true, true)]
    [InlineData("::1", false, true)]
    [InlineData("2001:db8::53", false, true)]
    public async Task Only_ipv6_clients_unless_allow_ipv4(string client, bool allowIpv4, bool translated)
    {
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.NoError, None, [Soa70])
            .On(RecordType.A, ResponseCode.NoError, TwoA);
        var (response, _) = await AskAsync(backend, new Dns64Options { AllowIpv4 = allowIpv4 }, client: IPAddress.Parse(client));

        Assert.Equal(translated ? 2 : 0, response.Answers.Count);
        if (translated)
        {
            // The A lookup runs as the client (acl, view see its address).
            Assert.Equal(IPAddress.Parse(client).AddressFamily, backend.Seen[1].Client);
        }
    }

    [Theory]
    [InlineData(RecordType.A)]
    [InlineData(RecordType.MX)]
    [InlineData(RecordType.ANY)]
    public async Task Other_question_types_pass_through(RecordType type)
    {
        var backend = new Dns64Backend().On(type, ResponseCode.NoError, None, [Soa70]);
        var (response, _) = await AskAsync(backend, type: type);

        Assert.Empty(response.Answers);
        Assert.Equal([type], backend.Seen.Select(s => s.Type));
    }

    [Theory]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    public async Task A_validating_client_gets_the_real_answer(bool dnssecOk, bool checkingDisabled, bool translated)
    {
        // RFC 6147 section 5.5: with DO and CD set the client validates; a synthesised record would fail its validation.
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.NoError, None, [Soa70])
            .On(RecordType.A, ResponseCode.NoError, TwoA);
        var (response, _) = await AskAsync(backend, dnssecOk: dnssecOk, checkingDisabled: checkingDisabled);

        Assert.Equal(translated ? 2 : 0, response.Answers.Count);
        Assert.All(backend.Seen, s => Assert.Equal(dnssecOk, s.DnssecOk));
    }

    [Fact]
    public async Task The_a_lookup_asks_the_same_name_with_the_clients_case()
    {
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.NoError, None, [Soa70])
            .On(RecordType.A, ResponseCode.NoError, ["ExAmple.com. 60 IN A 192.0.2.42"]);
        var (response, _) = await AskAsync(backend, name: "ExAmple.com.");

        Assert.Equal(("ExAmple.com.", RecordType.A), (backend.Seen[1].Name, backend.Seen[1].Type));
        Assert.Equal("ExAmple.com.", response.Questions[0].Name.ToString());
    }

    [Fact]
    public async Task A_synthesis_larger_than_the_clients_limit_keeps_what_fits_and_sets_tc()
    {
        // 30 AAAA records (28 bytes each) do not fit a 512-byte answer to a client without EDNS; the A answer (16 each) does.
        var many = Enumerable.Range(1, 30).Select(i => $"example.com. 60 IN A 192.0.2.{i}").ToArray();
        var backend = new Dns64Backend()
            .On(RecordType.AAAA, ResponseCode.NoError, None, [Soa70])
            .On(RecordType.A, ResponseCode.NoError, many);
        var (response, _) = await AskAsync(backend, edns: false);

        Assert.True(response.Header.Truncated);
        Assert.InRange(response.Answers.Count, 1, 29);
        Assert.All(response.Answers, r => Assert.Equal(RecordType.AAAA, r.Type));
        Assert.Null(response.Edns);
    }

    internal static string[] Lines(params string[] lines) => InProcessQuery.Lines(Dns64Backend.Records(lines));

    internal sealed record Handler(Dns64Handler Dns64, Dns64Metrics Metrics, MetricsRegistry Registry);

    private static async Task<(DnsMessage Response, Handler Handler)> AskAsync(Dns64Backend backend, Dns64Options? options = null,
        string name = "example.com.", RecordType type = RecordType.AAAA, IPAddress? client = null, bool dnssecOk = false, bool checkingDisabled = false,
        bool edns = true)
    {
        var registry = new MetricsRegistry();
        var metrics = new Dns64Metrics(registry, "dns://:53");
        var handler = new Dns64Handler(options ?? new Dns64Options(), metrics) { Next = backend };
        var query = new DnsMessage { Edns = edns ? new EdnsRecord { UdpPayloadSize = 1232, DnssecOk = dnssecOk } : null };
        query.Header.Id = 42;
        query.Header.RecursionDesired = true;
        query.Header.CheckingDisabled = checkingDisabled;
        query.Questions.Add(new DnsQuestion(DnsName.Parse(name), type, RecordClass.IN));
        var context = new DnsQueryContext();
        context.Reset(query.Write(context.Buffer, context.Buffer.Length), TransportKind.Udp);
        context.RemoteAddress = new IPEndPoint(client ?? IPAddress.IPv6Loopback, 5353).Serialize();
        var block = new ServerBlockRuntime([DnsName.Root], handler, [handler, backend]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        await processor.ProcessAsync(context);
        return (InProcessQuery.Parse(context), new Handler(handler, metrics, registry));
    }
}
