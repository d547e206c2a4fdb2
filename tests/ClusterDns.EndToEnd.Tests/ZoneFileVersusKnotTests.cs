using System.Text.RegularExpressions;
using ClusterDns.Testing.Files;
using ClusterDns.Testing.Peers;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The real executable serving zones/example.org.zone with the file plugin, and Knot DNS serving the same file,
/// asked the same questions with the same real client (dig over UDP, kdig over TCP): RCODE, AA, the answer and
/// the authority sections must agree. Knot answers minimally; the file plugin adds the zone's NS to positive
/// answers as CoreDNS's does, so our server runs with <c>minimal</c>, which takes exactly that away.
/// </summary>
public sealed class ZoneFileVersusKnotTests : IClassFixture<KnotDaemon>, IClassFixture<ZoneFileVersusKnotTests.FileServer>
{
    private readonly KnotDaemon _knot;
    private readonly ServerProcess _ours;

    public ZoneFileVersusKnotTests(KnotDaemon knot, FileServer ours)
    {
        _knot = knot;
        _ours = ours.Server;
    }

    public sealed class FileServer : IAsyncLifetime
    {
        public ServerProcess Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var zone = RepositoryPaths.SampleZone;
            Server = ServerProcess.Start($$"""
                example.org:{PORT} {
                    bind 127.0.0.1
                    minimal
                    file {{zone}}
                }
                """);
            await Server.WaitUntilAnsweringAsync("example.org", "SOA");
        }

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    public static TheoryData<string, string> Questions => new()
    {
        { "example.org", "SOA" },
        { "example.org", "NS" },
        { "example.org", "MX" },
        { "example.org", "TXT" },
        { "example.org", "CAA" },
        { "www.example.org", "A" },
        { "WWW.Example.ORG", "AAAA" },
        { "www.example.org", "TXT" },
        { "txt.example.org", "TXT" },
        { "_sip._tcp.example.org", "SRV" },
        { "nope.example.org", "A" },
        { "ent.example.org", "A" },
        { "foo.wild.example.org", "A" },
        { "foo.wild.example.org", "MX" },
        { "x.exists.wild.example.org", "A" },
        { "alias.example.org", "A" },
        { "external.example.org", "A" },
        { "dangling.example.org", "A" },
        { "sub.example.org", "NS" },
        { "x.sub.example.org", "A" },
        { "database.example.org", "A" },
    };

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task Dig_over_udp_sees_what_knot_answers(string name, string type)
    {
        string args = $"+norec +noall +comments +answer +authority {name} {type}";
        var knot = Summary((await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {_knot.Port} {args}")).Output);
        var ours = Summary((await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {_ours.Port} {args}")).Output);
        Assert.Equal(knot, ours);
    }

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task Kdig_over_tcp_sees_what_knot_answers(string name, string type)
    {
        string args = $"+tcp +norec {name} {type}";
        var knot = Summary((await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {_knot.Port} {args}")).Output);
        var ours = Summary((await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {_ours.Port} {args}")).Output);
        Assert.Equal(knot, ours);
    }

    [Fact]
    public async Task The_comparison_sees_the_records_themselves()
    {
        var ours = Summary((await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {_ours.Port} +norec +noall +comments +answer +authority www.example.org A")).Output);
        Assert.Equal("NOERROR aa=True\nanswer www.example.org. 3600 in a 192.0.2.10\nanswer www.example.org. 3600 in a 192.0.2.11", ours);
        var negative = Summary((await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {_ours.Port} +tcp +norec nope.example.org A")).Output);
        Assert.StartsWith("NXDOMAIN aa=True\nauthority example.org. 300 in soa ns1.example.org. hostmaster.example.org.", negative);
    }

    /// <summary>RCODE, whether AA is set, and the answer and authority records (normalised, sorted), from dig or kdig text.</summary>
    private static string Summary(string output)
    {
        var status = Regex.Match(output, @"status: (\w+)").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(status), "no answer: " + output);
        var flags = Regex.Match(output, @"(?i)flags: ([a-z ]+)[;:]").Groups[1].Value;
        bool aa = flags.Split(' ').Contains("aa");
        var sections = new List<string>();
        string? section = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Contains("ANSWER SECTION", StringComparison.Ordinal))
            {
                section = "answer";
            }
            else if (line.Contains("AUTHORITY SECTION", StringComparison.Ordinal))
            {
                section = "authority";
            }
            else if (line.StartsWith(";;", StringComparison.Ordinal) || line.Length == 0)
            {
                section = line.Length == 0 ? section : null;
            }
            else if (section is not null && !line.StartsWith(';'))
            {
                sections.Add(section + " " + Regex.Replace(line, @"\s+", " ").ToLowerInvariant());
            }
        }
        sections.Sort(StringComparer.Ordinal);
        return $"{status} aa={aa}\n" + string.Join('\n', sections);
    }
}
