using System.Text.RegularExpressions;
using ClusterDns.Testing.Files;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// The answers that break resolvers in real clusters when they are wrong: AAAA of an IPv4-only name must be
/// NODATA (NOERROR with the SOA), never NXDOMAIN (glibc and musl would drop the A answer they already have, or
/// walk on to the next suffix) nor SERVFAIL (musl stops, glibc retries); a large answer must set TC over UDP
/// and be served whole over TCP.
/// </summary>
[Collection(PodNetworkCollection.Name)]
public sealed partial class ResolverSafetyTests : IClassFixture<PodEnvironment>
{
    private readonly PodEnvironment _env;

    public ResolverSafetyTests(PodEnvironment env) => _env = env;

    /// <summary>Every IPv4-only Service of the demo cluster (cluster IPs of one family, or headless with IPv4 endpoints).</summary>
    public static TheoryData<string, string> IPv4OnlyServices()
    {
        var cluster = DemoCluster.Load(RepositoryPaths.DemoCluster);
        var data = new TheoryData<string, string>();
        foreach (var service in cluster.IPv4OnlyClusterIPServices())
        {
            data.Add(service.Namespace, service.Name);
        }
        data.Add("default", "headless-service");
        return data;
    }

    [Theory]
    [MemberData(nameof(IPv4OnlyServices))]
    public async Task Aaaa_for_an_ipv4_only_service_is_nodata_with_the_soa(string @namespace, string service)
    {
        Assert.NotEmpty(_env.Cluster.IPv4AddressesOf(@namespace, service));
        foreach (var transport in (string[])["+notcp", "+tcp"])
        {
            var result = await _env.Pod.RunAsync("dig", transport, "+time=2", "+tries=1", DemoCluster.FullName(@namespace, service), "AAAA");

            Assert.Contains("status: NOERROR", result.Output);
            Assert.Contains("ANSWER: 0,", result.Output);
            Assert.Matches(SoaInAuthority(), result.Output);
        }
    }

    [Fact]
    public async Task A_large_headless_service_sets_tc_over_udp_and_is_whole_over_tcp()
    {
        var name = DemoCluster.FullName("default", DemoCluster.LargeHeadlessService);

        // As a client without EDNS sees it (512 bytes), keeping the truncated answer instead of retrying.
        var udp = await _env.Pod.RunAsync("dig", "+ignore", "+noedns", "+time=2", "+tries=1", name, "A");
        Assert.Contains("status: NOERROR", udp.Output);
        Assert.Matches(TruncatedFlags(), udp.Output);

        // dig's own retry after TC, and TCP from the start: every endpoint.
        var expected = _env.Cluster.AddressesOf("default", DemoCluster.LargeHeadlessService);
        Assert.Equal(DemoCluster.LargeHeadlessEndpoints, expected.Length);
        var retried = await _env.Pod.RunAsync("dig", "+noedns", "+short", "+time=2", "+tries=1", name, "A");
        Assert.Equal(expected, ClientOutput.Short(retried.Output));
        var tcp = await _env.Pod.RunAsync("dig", "+tcp", "+short", "+time=2", "+tries=1", name, "A");
        Assert.Equal(expected, ClientOutput.Short(tcp.Output));
    }

    [GeneratedRegex(@"(?m)^cluster\.local\.\s+\d+\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\.")]
    private static partial Regex SoaInAuthority();

    [GeneratedRegex(@"flags: qr aa tc")]
    private static partial Regex TruncatedFlags();
}
