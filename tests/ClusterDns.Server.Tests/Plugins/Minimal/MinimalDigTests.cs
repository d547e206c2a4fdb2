using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Minimal;

/// <summary>
/// The real dig against a real server: a file answer carries the zone's NS in authority (as CoreDNS's file plugin),
/// minimal takes it away, and negative answers keep their SOA either way. The block also forwards, yet an
/// authoritative answer has no RA, as CoreDNS answers.
/// </summary>
public sealed class MinimalDigTests
{
    private const string Zone = """
        $ORIGIN example.org.
        $TTL 3600
        @    IN SOA ns1.example.org. hostmaster.example.org. 1 7200 1800 1209600 300
             IN NS  ns1
             IN MX  10 mail
        ns1  IN A   192.0.2.53
        mail IN A   192.0.2.25
        www  IN A   192.0.2.10
        """;

    private static string Corefile(bool minimal) => $$"""
        .:{PORT} {
            bind 127.0.0.1
            {{(minimal ? "minimal" : "")}}
            file example.org.zone example.org
            forward . 127.0.0.1:9
        }
        """;

    [Fact]
    public async Task Without_minimal_a_file_answer_has_the_zone_NS_in_authority()
    {
        await using var server = await CorefileServer.StartAsync(Corefile(minimal: false), new Dictionary<string, string> { ["example.org.zone"] = Zone });

        var output = await DigClient.RunAsync(server.Port, "www.example.org A");

        Assert.Matches(@"flags: qr aa rd;", output);
        Assert.Contains("recursion requested but not available", output);
        Assert.Matches(@"ANSWER: 1, AUTHORITY: 1, ADDITIONAL: 1", output);
        Assert.Matches(@"(?m)^;; AUTHORITY SECTION:\s*\nexample\.org\.\s+3600\s+IN\s+NS\s+ns1\.example\.org\.", output);
        var mx = await DigClient.RunAsync(server.Port, "example.org MX");
        Assert.Matches(@"ANSWER: 1, AUTHORITY: 1, ADDITIONAL: 2", mx);
        Assert.Matches(@"(?m)^mail\.example\.org\.\s+3600\s+IN\s+A\s+192\.0\.2\.25", mx);
    }

    [Fact]
    public async Task With_minimal_the_answer_stands_alone_and_negative_answers_keep_their_SOA()
    {
        await using var server = await CorefileServer.StartAsync(Corefile(minimal: true), new Dictionary<string, string> { ["example.org.zone"] = Zone });

        var output = await DigClient.RunAsync(server.Port, "www.example.org A");
        Assert.Matches(@"flags: qr aa rd;", output);
        // ADDITIONAL: 1 is dig's count of our OPT record.
        Assert.Matches(@"ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1", output);
        Assert.Contains("OPT PSEUDOSECTION", output);
        Assert.DoesNotContain("AUTHORITY SECTION", output);
        Assert.Matches(@"(?m)^www\.example\.org\.\s+3600\s+IN\s+A\s+192\.0\.2\.10", output);

        var mx = await DigClient.RunAsync(server.Port, "example.org MX");
        Assert.Matches(@"ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1", mx);

        var nxdomain = await DigClient.RunAsync(server.Port, "nope.example.org A");
        Assert.Contains("status: NXDOMAIN", nxdomain);
        Assert.Matches(@"(?m)^;; AUTHORITY SECTION:\s*\nexample\.org\.\s+300\s+IN\s+SOA", nxdomain);
        var nodata = await DigClient.RunAsync(server.Port, "www.example.org TXT");
        Assert.Matches(@"ANSWER: 0, AUTHORITY: 1,", nodata);
        Assert.Contains("status: NOERROR", nodata);
    }
}
