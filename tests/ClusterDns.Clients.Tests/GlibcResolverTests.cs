using ClusterDns.Protocol;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// glibc's stub resolver (getent, through nsswitch "hosts: files dns"), as a Debian or Ubuntu based pod uses
/// it: search list under ndots:5, A and AAAA in parallel on one socket, TCP retry on a truncated answer.
/// </summary>
[Collection(PodNetworkCollection.Name)]
public sealed class GlibcResolverTests : IClassFixture<PodEnvironment>
{
    private readonly PodEnvironment _env;

    public GlibcResolverTests(PodEnvironment env) => _env = env;

    public static TheoryData<string, string, string> ServiceNames => PodNames.ServiceNames;

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public async Task Getent_ahosts_resolves_short_namespaced_and_full_names_to_the_service(string name, string @namespace, string service)
    {
        var result = await _env.Pod.RunAsync("getent", "ahosts", name);

        Assert.True(result.ExitCode == 0, $"getent ahosts {name} exited with {result.ExitCode}: {result.Output}{result.Error}");
        var (addresses, canonical) = ClientOutput.GetentAhosts(result.Output);
        Assert.Equal(_env.Cluster.AddressesOf(@namespace, service), addresses);
        Assert.Equal(DemoCluster.FullName(@namespace, service), canonical);
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public async Task Getent_hosts_resolves_short_namespaced_and_full_names_to_the_service(string name, string @namespace, string service)
    {
        var result = await _env.Pod.RunAsync("getent", "hosts", name);

        Assert.True(result.ExitCode == 0, $"getent hosts {name} exited with {result.ExitCode}: {result.Output}{result.Error}");
        var expected = _env.Cluster.AddressesOf(@namespace, service);
        foreach (var (address, canonical) in ClientOutput.GetentHosts(result.Output))
        {
            Assert.Contains(address, expected);
            Assert.Equal(DemoCluster.FullName(@namespace, service), canonical);
        }
    }

    [Fact]
    public async Task An_outside_name_walks_the_whole_search_list_first_one_attempt_per_question()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, "getent", "ahosts", PodNames.OutsideName);

        Assert.True(trace.Result.ExitCode == 0, trace.Result.Output + trace.Result.Error);
        Assert.Equal(_env.Upstream.AddressesOf(PodNames.OutsideName + "."), ClientOutput.GetentAhosts(trace.Result.Output).Addresses);
        // Every NXDOMAIN of the walk came back on the first try: each question sent exactly once, in order.
        var expected = PodNames.SearchWalk(PodNames.OutsideName);
        Assert.Equal(PodNames.Sorted(expected), PodNames.Sorted(trace.Queries));
        Assert.Equal(expected.Select(q => q.Name).Distinct(), trace.Queries.Select(q => q.Name).Distinct());
        // Generous: a single lost answer would cost glibc its 5 s timeout.
        Assert.True(trace.Elapsed < TimeSpan.FromSeconds(4), $"took {trace.Elapsed}");
    }

    /// <summary>The pattern behind the conntrack race: both questions leave in one sendmmsg, from one socket.</summary>
    [Fact]
    public async Task A_and_aaaa_leave_together_in_one_call_for_every_name_of_the_walk()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, "getent", "ahosts", PodNames.OutsideName);

        Assert.Equal(Pod.SearchList.Length + 1, trace.Calls.Count);
        Assert.All(trace.Calls, call =>
        {
            Assert.Equal([RecordType.A, RecordType.AAAA], call.Select(q => q.Type).Order());
            Assert.Single(call.Select(q => q.Name).Distinct());
        });
    }

    [Fact]
    public async Task A_missing_name_fails_fast_after_one_attempt_per_question()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, "getent", "ahosts", PodNames.MissingName);

        // getent's exit code 2: the key was not found (not a resolver failure).
        Assert.Equal(2, trace.Result.ExitCode);
        Assert.Equal(PodNames.Sorted(PodNames.SearchWalk(PodNames.MissingName)), PodNames.Sorted(trace.Queries));
        Assert.True(trace.Elapsed < TimeSpan.FromSeconds(4), $"took {trace.Elapsed}");
    }

    [Fact]
    public async Task A_large_headless_service_is_retried_over_tcp_and_returns_every_endpoint()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, "getent", "ahosts", DemoCluster.LargeHeadlessService);

        Assert.True(trace.Result.ExitCode == 0, trace.Result.Output + trace.Result.Error);
        var addresses = ClientOutput.GetentAhosts(trace.Result.Output).Addresses;
        Assert.Equal(DemoCluster.LargeHeadlessEndpoints, addresses.Length);
        Assert.Equal(_env.Cluster.AddressesOf("default", DemoCluster.LargeHeadlessService), addresses);
        // The UDP answer was truncated; glibc asked the same question again over TCP.
        var fullName = DemoCluster.FullName("default", DemoCluster.LargeHeadlessService) + ".";
        Assert.Contains(new SentQuery(fullName, RecordType.A, OverTcp: false), trace.Queries);
        Assert.Contains(new SentQuery(fullName, RecordType.A, OverTcp: true), trace.Queries);
    }

    /// <summary>
    /// A stub resolver never chases a CNAME itself: the server must add the target's records (CoreDNS's
    /// kubernetes plugin looks an outside target up through its own upstream).
    /// </summary>
    [Fact]
    public async Task An_external_name_service_resolves_to_the_address_of_its_target()
    {
        var service = _env.Cluster.Service("default", "external-database");
        var result = await _env.Pod.RunAsync("getent", "ahosts", service.Name);

        Assert.True(result.ExitCode == 0, $"getent ahosts {service.Name} exited with {result.ExitCode}: {result.Output}{result.Error}\n{_env.Server.Output}");
        var (addresses, canonical) = ClientOutput.GetentAhosts(result.Output);
        Assert.Equal(_env.Upstream.AddressesOf(service.ExternalName + "."), addresses);
        Assert.Equal(service.ExternalName, canonical);
    }
}
