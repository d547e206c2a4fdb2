using System.Text.RegularExpressions;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// The debugging tools people run in a pod: dig with +search (BIND's resolv.conf handling, ndots honoured),
/// kdig over UDP and TCP (no search list: full names), and host (search list under ndots).
/// </summary>
[Collection(PodNetworkCollection.Name)]
public sealed partial class DigKdigHostTests : IClassFixture<PodEnvironment>
{
    private readonly PodEnvironment _env;

    public DigKdigHostTests(PodEnvironment env) => _env = env;

    public static TheoryData<string, string, string> ServiceNames => PodNames.ServiceNames;

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public async Task Dig_with_search_resolves_short_namespaced_and_full_names(string name, string @namespace, string service)
    {
        var result = await _env.Pod.RunAsync("dig", "+search", "+short", "+time=2", "+tries=1", name, "A");

        Assert.Equal(_env.Cluster.IPv4AddressesOf(@namespace, service), ClientOutput.Short(result.Output));
    }

    public static TheoryData<string, string, string, string> KdigCases()
    {
        var cases = new TheoryData<string, string, string, string>();
        foreach (var transport in (string[])["+notcp", "+tcp"])
        {
            cases.Add(transport, "default", "web-service", "A");
            cases.Add(transport, "default", "headless-service", "A");
            cases.Add(transport, "default", "dual-stack-service", "AAAA");
            cases.Add(transport, "production", "backend-api", "A");
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(KdigCases))]
    public async Task Kdig_resolves_full_names_over_udp_and_tcp(string transport, string @namespace, string service, string type)
    {
        var result = await _env.Pod.RunAsync("kdig", transport, "+short", "+time=2", "+retry=0", DemoCluster.FullName(@namespace, service), type);

        var expected = _env.Cluster.AddressesOf(@namespace, service).Where(a => a.Contains(':', StringComparison.Ordinal) == (type == "AAAA"));
        Assert.Equal(expected, ClientOutput.Short(result.Output));
    }

    [Fact]
    public async Task Kdig_sees_a_large_headless_service_truncated_over_udp_and_whole_over_tcp()
    {
        var name = DemoCluster.FullName("default", DemoCluster.LargeHeadlessService);

        // kdig does not retry a truncated answer: it shows the TC flag.
        var udp = await _env.Pod.RunAsync("kdig", "+notcp", "+time=2", "+retry=0", name, "A");
        Assert.Contains("status: NOERROR", udp.Output);
        Assert.Matches(@"Flags: qr aa tc", udp.Output);

        var tcp = await _env.Pod.RunAsync("kdig", "+tcp", "+short", "+time=2", "+retry=0", name, "A");
        Assert.Equal(_env.Cluster.AddressesOf("default", DemoCluster.LargeHeadlessService), ClientOutput.Short(tcp.Output));
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public async Task Host_resolves_short_namespaced_and_full_names(string name, string @namespace, string service)
    {
        var result = await _env.Pod.RunAsync("host", "-W", "2", name);

        Assert.True(result.ExitCode == 0, $"host {name} exited with {result.ExitCode}: {result.Output}{result.Error}");
        var answers = HostAddressLine().Matches(result.Output).Select(m => (Name: m.Groups[1].Value, Address: m.Groups[2].Value)).ToArray();
        Assert.All(answers, a => Assert.Equal(DemoCluster.FullName(@namespace, service), a.Name));
        Assert.Equal(_env.Cluster.AddressesOf(@namespace, service), answers.Select(a => a.Address).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Host_shows_the_external_name_alias()
    {
        var service = _env.Cluster.Service("default", "external-database");
        var result = await _env.Pod.RunAsync("host", "-W", "2", service.Name);

        Assert.Contains($"{DemoCluster.FullName("default", service.Name)} is an alias for {service.ExternalName}.", result.Output);
    }

    [GeneratedRegex(@"^(\S+) has (?:IPv6 )?address (\S+)$", RegexOptions.Multiline)]
    private static partial Regex HostAddressLine();
}
