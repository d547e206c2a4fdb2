using System.Text.RegularExpressions;
using ClusterDns.Testing.Files;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The real executable with <c>transfer</c>: dig and kdig AXFR of the cluster zone (the demo cluster) and of a file
/// zone over TCP agree on the records; IXFR from the current serial is the SOA alone (UDP refusals: Server.Tests).
/// </summary>
public sealed partial class TransferEndToEndTests : IAsyncLifetime
{
    private const string Corefile = """
        cluster.local:{PORT} in-addr.arpa:{PORT} {
            bind 127.0.0.1
            kubernetes cluster.local in-addr.arpa {
                manifests demo-cluster
            }
            transfer {
                to 127.0.0.1
            }
        }
        example.org:{PORT} {
            bind 127.0.0.1
            file example.org.zone
            transfer {
                to 127.0.0.0/8
            }
        }
        """;

    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _server = ServerProcess.Start(Corefile, dir =>
        {
            RepositoryPaths.CopyDirectory(RepositoryPaths.DemoCluster, Path.Combine(dir, "demo-cluster"));
            File.Copy(RepositoryPaths.SampleZone, Path.Combine(dir, "example.org.zone"));
        });
        await _server.WaitUntilAnsweringAsync("web-service.default.svc.cluster.local", "A");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("cluster.local")]
    [InlineData("in-addr.arpa")]
    [InlineData("example.org")]
    public async Task Dig_and_kdig_transfer_the_same_records_with_the_SOA_first_and_last(string zone)
    {
        var dig = await DigClient.RunAsync(_server.Port, $"+nocmd +nostats {zone} AXFR");
        var kdig = (await ProcessRunner.RunAsync("kdig", $"@127.0.0.1 -p {_server.Port} +time=5 {zone} AXFR")).Output;

        var digRecords = Records(dig);
        var kdigRecords = Records(kdig);
        Assert.True(digRecords.Count > 2, dig);
        Assert.Equal("SOA", digRecords[0].Split(' ')[3]);
        Assert.Equal("SOA", digRecords[^1].Split(' ')[3]);
        Assert.Equal(digRecords.Order(StringComparer.Ordinal), kdigRecords.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Ixfr_from_the_current_serial_is_the_SOA_alone()
    {
        var soa = (await DigClient.ShortAsync(_server.Port, "cluster.local SOA")).Single().Split(' ');
        string serial = soa[2];

        var current = Records(await DigClient.RunAsync(_server.Port, $"+nocmd +nostats cluster.local IXFR={serial}"));
        Assert.Single(current);
    }

    /// <summary>The record lines of dig or kdig output (comments dropped), whitespace normalised.</summary>
    private static List<string> Records(string output) =>
        output.Split('\n').Select(l => Whitespace().Replace(l.Trim(), " ")).Where(l => l.Length > 0 && !l.StartsWith(';')).ToList();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
