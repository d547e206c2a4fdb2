using ClusterDns.Testing.Files;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The real executable, zones/example.org.zone served by file in a block that also forwards, asked by the real dig:
/// answers shaped as CoreDNS's file plugin shapes them (the zone's NS in authority, no RA), and a second server
/// with <c>minimal</c> taking the NS away.
/// </summary>
public sealed class FileAnswerShapeTests
{
    [Fact]
    public async Task File_answers_carry_the_zone_NS_and_minimal_removes_them()
    {
        var zone = RepositoryPaths.SampleZone;
        await using var server = ServerProcess.Start($$"""
            example.org:{PORT} {
                bind 127.0.0.1
                file {{zone}}
                forward . 127.0.0.1:9
            }
            """);
        await using var trimmed = ServerProcess.Start($$"""
            example.org:{PORT} {
                bind 127.0.0.1
                minimal
                file {{zone}}
            }
            """);
        await server.WaitUntilAnsweringAsync("example.org", "SOA");
        await trimmed.WaitUntilAnsweringAsync("example.org", "SOA");

        var full = (await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {server.Port} www.example.org A")).Output;
        Assert.Matches(@"flags: qr aa rd;", full);
        Assert.Matches(@"ANSWER: 2, AUTHORITY: 2,", full);
        Assert.Matches(@"(?m)^example\.org\.\s+3600\s+IN\s+NS\s+ns1\.example\.org\.", full);
        Assert.Matches(@"(?m)^example\.org\.\s+3600\s+IN\s+NS\s+ns2\.example\.org\.", full);

        var minimal = (await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {trimmed.Port} www.example.org A")).Output;
        Assert.Matches(@"ANSWER: 2, AUTHORITY: 0,", minimal);
        var negative = (await ProcessRunner.RunAsync("dig", $"@127.0.0.1 -p {trimmed.Port} nope.example.org A")).Output;
        Assert.Contains("status: NXDOMAIN", negative);
        Assert.Matches(@"ANSWER: 0, AUTHORITY: 1,", negative);
    }
}
