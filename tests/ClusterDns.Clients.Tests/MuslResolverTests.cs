using ClusterDns.Protocol;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// musl's getaddrinfo (musl 1.2.3, as in Alpine 3.17 and older images): search list under ndots, A and AAAA
/// in parallel, only NXDOMAIN moves on to the next suffix, and no TCP fallback on a truncated answer.
/// </summary>
[Collection(PodNetworkCollection.Name)]
public sealed class MuslResolverTests : IClassFixture<PodEnvironment>, IClassFixture<MuslProbe>
{
    private readonly PodEnvironment _env;
    private readonly MuslProbe _probe;

    public MuslResolverTests(PodEnvironment env, MuslProbe probe)
    {
        _env = env;
        _probe = probe;
    }

    public static TheoryData<string, string, string> ServiceNames => PodNames.ServiceNames;

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public async Task Getaddrinfo_resolves_short_namespaced_and_full_names_to_the_service(string name, string @namespace, string service)
    {
        var result = await _env.Pod.RunAsync(_probe.Path, name);

        var (addresses, canonical, error) = ClientOutput.MuslProbe(result.Output);
        Assert.Null(error);
        Assert.Equal(_env.Cluster.AddressesOf(@namespace, service), addresses);
        Assert.Equal(DemoCluster.FullName(@namespace, service), canonical);
    }

    [Fact]
    public async Task An_outside_name_walks_the_whole_search_list_first_one_attempt_per_question()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, _probe.Path, PodNames.OutsideName);

        Assert.Equal(_env.Upstream.AddressesOf(PodNames.OutsideName + "."), ClientOutput.MuslProbe(trace.Result.Output).Addresses);
        Assert.Equal(PodNames.Sorted(PodNames.SearchWalk(PodNames.OutsideName)), PodNames.Sorted(trace.Queries));
        Assert.True(trace.Elapsed < TimeSpan.FromSeconds(4), $"took {trace.Elapsed}");
    }

    [Fact]
    public async Task A_missing_name_is_reported_missing_not_as_a_temporary_failure()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, _probe.Path, PodNames.MissingName);

        // NXDOMAIN at every step: "Name does not resolve" (EAI_NONAME). A SERVFAIL anywhere would have
        // stopped the walk with "Try again" (EAI_AGAIN).
        Assert.Equal("Name does not resolve", ClientOutput.MuslProbe(trace.Result.Output).Error);
        Assert.Equal(PodNames.Sorted(PodNames.SearchWalk(PodNames.MissingName)), PodNames.Sorted(trace.Queries));
        Assert.True(trace.Elapsed < TimeSpan.FromSeconds(4), $"took {trace.Elapsed}");
    }

    [Fact]
    public async Task A_large_headless_service_is_asked_over_udp_only()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, _probe.Path, DemoCluster.LargeHeadlessService);

        Assert.NotEmpty(trace.Queries);
        Assert.DoesNotContain(trace.Queries, q => q.OverTcp);
    }

    /// <summary>With no TCP fallback, musl lives on what a truncated UDP answer still carries.</summary>
    [Fact]
    public async Task A_large_headless_service_gives_musl_the_addresses_that_fit_in_udp()
    {
        var result = await _env.Pod.RunAsync(_probe.Path, DemoCluster.LargeHeadlessService);

        var (addresses, _, error) = ClientOutput.MuslProbe(result.Output);
        Assert.Null(error);
        Assert.NotEmpty(addresses);
        Assert.Subset(_env.Cluster.AddressesOf("default", DemoCluster.LargeHeadlessService).ToHashSet(), addresses.ToHashSet());
    }

    [Fact]
    public async Task An_external_name_service_resolves_to_the_address_of_its_target()
    {
        var service = _env.Cluster.Service("default", "external-database");
        var result = await _env.Pod.RunAsync(_probe.Path, service.Name);

        var (addresses, canonical, error) = ClientOutput.MuslProbe(result.Output);
        Assert.Null(error);
        Assert.Equal(_env.Upstream.AddressesOf(service.ExternalName + "."), addresses);
        Assert.Equal(service.ExternalName, canonical);
    }
}
