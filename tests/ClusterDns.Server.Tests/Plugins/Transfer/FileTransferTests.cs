using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Transfer;

/// <summary>
/// AXFR and IXFR of file zones over real TCP: CoreDNS's plugin/transfer transfer_test.go cases restated (SOA first
/// and last, IXFR current and fallback, not allowed, not a zone, not a transfer), plus UDP, a block without the
/// plugin, and the real dig and kdig.
/// </summary>
public sealed class FileTransferTests : IAsyncLifetime
{
    internal const string ExampleOrg = """
        $ORIGIN example.org.
        $TTL 300
        @ IN SOA ns1 hostmaster 2024010101 7200 1800 86400 60
          IN NS ns1
          IN NS ns2.example.net.
          IN MX 10 mail
        ns1 IN A 192.0.2.53
        www IN A 192.0.2.10
        www IN A 192.0.2.11
        www IN AAAA 2001:db8::10
        mail IN A 192.0.2.25
        alias IN CNAME www
        txt IN TXT "hello world"
        _sip._tcp IN SRV 10 60 5060 www
        sub IN NS ns.sub
        ns.sub IN A 192.0.2.99
        deep.empty.nonterminal IN A 192.0.2.77
        """;

    private CorefileServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await CorefileServer.StartAsync("""
            example.org:{PORT} example.com:{PORT} {
                bind 127.0.0.1
                file example.org.zone example.org
                file example.com.zone example.com
                transfer example.org {
                    to *
                }
                transfer example.com {
                    to 127.0.0.1
                }
            }
            example.net:{PORT} {
                bind 127.0.0.1
                file example.net.zone
                transfer {
                    to 192.0.2.1
                }
            }
            example.edu:{PORT} {
                bind 127.0.0.1
                file example.edu.zone
            }
            """,
            new Dictionary<string, string>
            {
                ["example.org.zone"] = ExampleOrg,
                ["example.com.zone"] = Minimal("example.com"),
                ["example.net.zone"] = Minimal("example.net"),
                ["example.edu.zone"] = Minimal("example.edu"),
            });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    internal static IReadOnlyList<DnsRecord> ZoneRecords(string text, string origin)
    {
        var parsed = ClusterDns.Protocol.Text.ZoneFileReader.Read(new StringReader(text), "zone", DnsName.Parse(origin));
        Assert.True(parsed.Succeeded, parsed.Error?.ToString());
        return parsed.Records;
    }

    private static string Minimal(string zone) => $"""
        $ORIGIN {zone}.
        @ 300 IN SOA ns1 hostmaster 7 7200 1800 86400 60
        @ 300 IN NS ns1
        ns1 300 IN A 192.0.2.1
        """;

    [Fact]
    public async Task Axfr_starts_and_ends_with_the_SOA_and_lists_every_record_once()
    {
        var messages = await AxfrClient.TransferAsync(_server.Port, "example.org");
        var records = AxfrClient.Records(messages);

        Assert.All(messages, m => Assert.Equal(ResponseCode.NoError, m.Rcode));
        Assert.All(messages, m => Assert.True(m.Header.AuthoritativeAnswer));
        Assert.Equal(RecordType.SOA, records[0].Type);
        Assert.Equal(RecordType.SOA, records[^1].Type);
        Assert.Equal(InProcessQuery.Line(records[0]), InProcessQuery.Line(records[^1]));
        var expected = ZoneRecords(ExampleOrg, "example.org.");
        // Every record of the zone, glue and the delegation included, the SOA once in the middle counted twice.
        Assert.Equal(InProcessQuery.Lines(expected), InProcessQuery.Lines(records.Skip(1)));
        Assert.Equal(expected.Count + 1, records.Count);
    }

    [Fact]
    public async Task A_second_directive_allows_its_own_clients()
    {
        var records = AxfrClient.Records(await AxfrClient.TransferAsync(_server.Port, "example.com"));

        Assert.Equal(4, records.Count); // SOA, NS, A, SOA (CoreDNS's validateAXFRResponse counts 4 the same way)
    }

    [Fact]
    public async Task A_client_that_to_does_not_list_is_refused()
    {
        var messages = await AxfrClient.TransferAsync(_server.Port, "example.net");

        var message = Assert.Single(messages);
        Assert.Equal(ResponseCode.Refused, message.Rcode);
        Assert.Empty(message.Answers);
    }

    [Fact]
    public async Task A_block_without_the_transfer_plugin_refuses_transfers()
    {
        var message = Assert.Single(await AxfrClient.TransferAsync(_server.Port, "example.edu"));

        Assert.Equal(ResponseCode.Refused, message.Rcode);
    }

    [Theory]
    [InlineData(RecordType.AXFR)]
    [InlineData(RecordType.IXFR)]
    public async Task Transfers_over_udp_are_refused(RecordType type)
    {
        var response = await UdpQuery.AskAsync(_server.Port, "example.org", type);

        Assert.Equal(ResponseCode.Refused, response.Rcode);
        Assert.Empty(response.Answers);
    }

    [Theory]
    [InlineData(2024010101u)] // current
    [InlineData(2024010102u)] // the client is ahead (RFC 1982): nothing newer to send
    public async Task Ixfr_from_a_current_serial_gets_the_SOA_alone(uint serial)
    {
        var message = Assert.Single(await AxfrClient.TransferAsync(_server.Port, "example.org", RecordType.IXFR, serial));

        var soa = Assert.Single(message.Answers);
        Assert.Equal(2024010101u, Assert.IsType<SoaData>(soa.Data).Serial);
    }

    [Fact]
    public async Task Ixfr_from_an_older_serial_falls_back_to_the_whole_zone()
    {
        var records = AxfrClient.Records(await AxfrClient.TransferAsync(_server.Port, "example.org", RecordType.IXFR, 2024010100u));

        var axfr = AxfrClient.Records(await AxfrClient.TransferAsync(_server.Port, "example.org"));
        Assert.Equal(axfr.Select(InProcessQuery.Line), records.Select(InProcessQuery.Line));
    }

    [Fact]
    public async Task Ixfr_without_the_clients_SOA_is_a_format_error()
    {
        var message = Assert.Single(await AxfrClient.TransferAsync(_server.Port, "example.org", RecordType.IXFR));

        Assert.Equal(ResponseCode.FormErr, message.Rcode);
    }

    [Fact]
    public async Task A_transfer_of_a_name_that_is_not_a_zone_goes_to_the_next_plugin()
    {
        // CoreDNS TestTransferNonZone: sub.example.org is not a zone of any transferer; the file plugin answers it.
        var message = Assert.Single(await AxfrClient.TransferAsync(_server.Port, "nothing.example.org"));

        Assert.Equal(ResponseCode.NXDomain, message.Rcode);
    }

    [Fact]
    public async Task Other_queries_pass_through()
    {
        // CoreDNS TestTransferNotAXFRorIXFR.
        Assert.Equal(["192.0.2.10", "192.0.2.11"], await DigClient.ShortAsync(_server.Port, "www.example.org A"));
    }

    [Fact]
    public async Task Dig_axfr_receives_the_zone()
    {
        var output = await DigClient.RunAsync(_server.Port, "example.org AXFR");

        var expected = ZoneRecords(ExampleOrg, "example.org.");
        Assert.Contains($"XFR size: {expected.Count + 1} records", output);
        Assert.Matches(@"deep\.empty\.nonterminal\.example\.org\.\s+300\s+IN\s+A\s+192\.0\.2\.77", output);
    }

    [Fact]
    public async Task Kdig_axfr_receives_the_zone()
    {
        var output = (await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {_server.Port} +time=5 example.org AXFR")).Output;

        var expected = ZoneRecords(ExampleOrg, "example.org.");
        Assert.Matches($@";; Received \d+ B \(\d+ messages?, {expected.Count + 1} records\)", output);
    }
}
