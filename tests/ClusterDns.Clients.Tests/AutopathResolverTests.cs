using ClusterDns.Protocol;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// autopath seen by the real stub resolvers of a pod (glibc's getent and musl's getaddrinfo) in namespace
/// default, found by the address its queries come from: the first search expansion is answered with a CNAME to
/// the name that exists, so the resolver stops after one question per type instead of walking the list.
/// </summary>
[Collection(PodNetworkCollection.Name)]
public sealed class AutopathResolverTests : IClassFixture<AutopathPodEnvironment>, IClassFixture<MuslProbe>
{
    private readonly AutopathPodEnvironment _env;
    private readonly MuslProbe _musl;

    public AutopathResolverTests(AutopathPodEnvironment env, MuslProbe musl)
    {
        _env = env;
        _musl = musl;
    }

    /// <summary>What a resolver sends when the first expansion is answered: A and AAAA of it, once each.</summary>
    private static SentQuery[] FirstExpansionOnly(string name) =>
        PodNames.Sorted([new($"{name}.{Pod.SearchList[0]}.", RecordType.A, false), new($"{name}.{Pod.SearchList[0]}.", RecordType.AAAA, false)]);

    [Fact]
    public async Task Glibc_resolves_an_outside_name_with_one_question_per_type()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, "getent", "ahosts", PodNames.OutsideName);

        Assert.True(trace.Result.ExitCode == 0, trace.Result.Output + trace.Result.Error + _env.Server.Output);
        var (addresses, canonical) = ClientOutput.GetentAhosts(trace.Result.Output);
        Assert.Equal(_env.Upstream.AddressesOf(PodNames.OutsideName + "."), addresses);
        Assert.Equal(PodNames.OutsideName, canonical);
        Assert.Equal(FirstExpansionOnly(PodNames.OutsideName), PodNames.Sorted(trace.Queries));
    }

    [Fact]
    public async Task Musl_resolves_an_outside_name_with_one_question_per_type()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, _musl.Path, PodNames.OutsideName);

        var (addresses, canonical, error) = ClientOutput.MuslProbe(trace.Result.Output);
        Assert.Null(error);
        Assert.Equal(_env.Upstream.AddressesOf(PodNames.OutsideName + "."), addresses);
        Assert.Equal(PodNames.OutsideName, canonical);
        Assert.Equal(FirstExpansionOnly(PodNames.OutsideName), PodNames.Sorted(trace.Queries));
    }

    [Theory]
    [InlineData("backend-api.production", "production", "backend-api")]
    [InlineData("kube-dns.kube-system.svc", "kube-system", "kube-dns")]
    [InlineData("web-service", "default", "web-service")]
    public async Task Glibc_and_musl_resolve_a_service_of_any_namespace_with_one_question_per_type(string name, string @namespace, string service)
    {
        foreach (var command in new[] { new[] { "getent", "ahosts", name }, [_musl.Path, name] })
        {
            var trace = await SentQueries.RecordAsync(_env.Pod, command);

            var output = trace.Result.Output;
            var (addresses, canonical) = command[0] == "getent" ? ClientOutput.GetentAhosts(output) : Musl(output);
            Assert.Equal(_env.Cluster.AddressesOf(@namespace, service), addresses);
            Assert.Equal(DemoCluster.FullName(@namespace, service), canonical);
            Assert.Equal(FirstExpansionOnly(name), PodNames.Sorted(trace.Queries));
        }
    }

    /// <summary>CoreDNS's documented cost: when the server's walk finds nothing, the client walks the list again itself.</summary>
    [Fact]
    public async Task A_missing_name_is_nxdomain_and_the_client_walks_its_list_as_without_autopath()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, "getent", "ahosts", PodNames.MissingName);

        Assert.Equal(2, trace.Result.ExitCode);
        Assert.Equal(PodNames.Sorted(PodNames.SearchWalk(PodNames.MissingName)), PodNames.Sorted(trace.Queries));
    }

    [Fact]
    public async Task Dig_from_the_pod_sees_the_cname_then_the_targets_records()
    {
        var result = await _env.Network.ExecAsync("dig", "@" + PodNetwork.DnsAddress, "+norecurse", "+time=2", "+tries=1",
            $"{PodNames.OutsideName}.{Pod.SearchList[0]}", "A");

        Assert.Contains("status: NOERROR", result.Output, StringComparison.Ordinal);
        Assert.Matches($@"{PodNames.OutsideName}\.{Pod.SearchList[0]}\.\s+\d+\s+IN\s+CNAME\s+{PodNames.OutsideName}\.", result.Output);
        Assert.Matches($@"\n{PodNames.OutsideName}\.\s+\d+\s+IN\s+A\s+192\.0\.2\.10", result.Output);
    }

    [Fact]
    public async Task Dig_from_another_address_gets_no_completion()
    {
        var result = await _env.Network.ExecAsync("dig", "@" + PodNetwork.DnsAddress, "-b", PodNetwork.UpstreamAddress, "+time=2", "+tries=1",
            $"{PodNames.OutsideName}.{Pod.SearchList[0]}", "A");

        Assert.Contains("status: NXDOMAIN", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("CNAME", result.Output, StringComparison.Ordinal);
    }

    private static (string[] Addresses, string? Canonical) Musl(string output)
    {
        var (addresses, canonical, error) = ClientOutput.MuslProbe(output);
        Assert.Null(error);
        return (addresses, canonical);
    }
}
