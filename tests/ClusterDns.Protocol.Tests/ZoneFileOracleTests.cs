using ClusterDns.Protocol.Text;
using ClusterDns.Testing.Files;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.Protocol.Tests;

/// <summary>
/// Every record of every zone file the repository serves or tests with, as we encode it in an answer, reads the same
/// in ARSoft.Tools.Net (re-encoded by it, back to the same RDATA bytes) and in DnsClient.NET.
/// </summary>
public sealed class ZoneFileOracleTests
{
    public static TheoryData<string> ZoneFiles => new(
        "zones/example.org.zone",
        "tests/ClusterDns.Clients.Tests/testdata/internet.zone",
        "tests/ClusterDns.Protocol.Tests/capture/example.test.zone",
        "tests/ClusterDns.Protocol.Tests/testdata/zones/full.zone",
        "tests/ClusterDns.Protocol.Tests/testdata/zones/no-ttl.zone",
        "tests/ClusterDns.Server.Tests/testdata/Zones/example.org.zone",
        "tests/ClusterDns.Server.Tests/testdata/Zones/miek.nl.zone",
        "tests/ClusterDns.Server.Tests/testdata/ops/example.net.zone",
        "tests/ClusterDns.Server.Tests/testdata/ops/example.org.zone",
        "tests/ClusterDns.Server.Tests/testdata/ops/example.org.v2.zone");

    [Theory]
    [MemberData(nameof(ZoneFiles))]
    public void Every_record_reads_alike_in_both_libraries(string relativePath)
    {
        var result = ZoneFileReader.Read(RepositoryPaths.PathOf(relativePath.Split('/')));
        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.NotEmpty(result.Records);
        foreach (var record in result.Records)
        {
            var response = new DnsMessage();
            response.Header.Id = 0x5151;
            response.Header.IsResponse = true;
            response.Header.AuthoritativeAnswer = true;
            response.Questions.Add(new DnsQuestion(record.Name, record.Type, record.Class));
            response.Answers.Add(record);
            ResponseOracle.AssertParses(response.ToArray());
        }
    }
}
