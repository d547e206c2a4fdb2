using System.Globalization;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Peers;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Dns64;

/// <summary>
/// dns64 through real listeners and dig: in front of a file zone that has only A records for a name, and in front
/// of forward to a real upstream (knotd on loopback). dig asks over IPv6 (::1) unless the test says otherwise.
/// </summary>
public sealed class Dns64DigTests
{
    private const string Zone = """
        $ORIGIN example.org.
        $TTL 3600
        @ IN SOA ns1 hostmaster 1 7200 1800 86400 60
          IN NS ns1
        ns1 IN A 192.0.2.53
        v4only 300 IN A 192.0.2.7
        v4only 300 IN A 192.0.2.8
        both IN A 192.0.2.9
        both IN AAAA 2001:db8::9
        alias IN CNAME v4only
        """;

    [Fact]
    public async Task An_aaaa_question_for_an_a_only_name_in_a_file_zone_is_synthesised()
    {
        await using var server = await CorefileServer.StartAsync("""
            example.org:{PORT} {
                bind ::1 127.0.0.1
                dns64
                file example.org.zone
            }
            """, new Dictionary<string, string> { ["example.org.zone"] = Zone });

        // The zone's negative TTL is min(3600, 60): the synthetic records live 60 s, not the A records' 300.
        var answer = await DigAsync("::1", server.Port, "v4only.example.org AAAA +noall +answer +comments");
        Assert.Contains("status: NOERROR", answer);
        Assert.Equal(["v4only.example.org. 60 IN AAAA 64:ff9b::c000:207", "v4only.example.org. 60 IN AAAA 64:ff9b::c000:208"], AnswerLines(answer));

        Assert.Equal(["2001:db8::9"], await ShortAsync("::1", server.Port, "both.example.org AAAA"));
        Assert.Equal(["64:ff9b::c000:207", "64:ff9b::c000:208", "v4only.example.org."], await ShortAsync("::1", server.Port, "alias.example.org AAAA"));
        Assert.Contains("status: NXDOMAIN", await DigAsync("::1", server.Port, "missing.example.org AAAA"));
        Assert.Equal(["192.0.2.7", "192.0.2.8"], await ShortAsync("::1", server.Port, "v4only.example.org A"));
        // An IPv4 client gets the zone's own answer: no AAAA.
        Assert.Empty(await ShortAsync("127.0.0.1", server.Port, "v4only.example.org AAAA"));
    }

    [Fact]
    public async Task Allow_ipv4_and_a_custom_prefix_reach_ipv4_clients()
    {
        await using var server = await CorefileServer.StartAsync("""
            example.org:{PORT} {
                bind 127.0.0.1
                dns64 {
                    prefix 2001:db8:122:344::/64
                    allow_ipv4
                }
                file example.org.zone
            }
            """, new Dictionary<string, string> { ["example.org.zone"] = Zone });

        Assert.Equal(["2001:db8:122:344:c0:2:700:0", "2001:db8:122:344:c0:2:800:0"], await ShortAsync("127.0.0.1", server.Port, "v4only.example.org AAAA"));
    }

    [Fact]
    public async Task Answers_from_a_real_upstream_through_forward_are_synthesised()
    {
        using var knot = new KnotDaemon();
        await using var server = await CorefileServer.StartAsync($$"""
            .:{PORT} {
                bind ::1
                dns64 64:ff9b::/96 {
                    translate_all
                }
                forward . 127.0.0.1:{{knot.Port.ToString(CultureInfo.InvariantCulture)}}
            }
            """);

        // The sample zone: mail2 has one A record (TTL 600), the zone's negative TTL is min(3600, 300).
        var answer = await DigAsync("::1", server.Port, "mail2.example.org AAAA +noall +answer");
        Assert.Equal(["mail2.example.org. 300 IN AAAA 64:ff9b::c000:21a"], AnswerLines(answer));
        // translate_all: www's real AAAA record gives way to its two A records.
        Assert.Equal(["64:ff9b::c000:20a", "64:ff9b::c000:20b"], await ShortAsync("::1", server.Port, "www.example.org AAAA"));
        // NXDOMAIN from the upstream stands.
        Assert.Contains("status: NXDOMAIN", await DigAsync("::1", server.Port, "nothere.example.org AAAA"));
    }

    private static async Task<string> DigAsync(string address, int port, string arguments) =>
        (await ProcessRunner.RunAsync("dig", $"@{address} -p {port} +time=2 +tries=1 {arguments}")).Output;

    private static async Task<string[]> ShortAsync(string address, int port, string arguments) =>
        (await DigAsync(address, port, "+short " + arguments)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>The answer lines of dig output, whitespace collapsed, sorted.</summary>
    private static string[] AnswerLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith(';'))
            .Select(line => string.Join(' ', line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)))
            .Order(StringComparer.Ordinal).ToArray();
}
