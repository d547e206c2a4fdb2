using ClusterDns.Protocol;

namespace ClusterDns.Clients.Tests;

/// <summary>
/// busybox nslookup (Debian's busybox 1.35, the same resolver as the busybox images from 1.29 on): its own
/// resolver, not libc's. It asks A and AAAA, applies the search list only to names without a dot (ignoring
/// ndots), asks every suffix rather than stopping at the first answer, and never asks a dot-less name as is.
/// </summary>
[Collection(PodNetworkCollection.Name)]
public sealed class BusyboxNslookupTests : IClassFixture<PodEnvironment>
{
    private readonly PodEnvironment _env;

    public BusyboxNslookupTests(PodEnvironment env) => _env = env;

    public static TheoryData<string, string, string> Names => new()
    {
        { "web-service", "default", "web-service" },
        { "headless-service", "default", "headless-service" },
        { "dual-stack-service", "default", "dual-stack-service" },
        { "web-service.default.svc.cluster.local", "default", "web-service" },
        { "kubernetes.default.svc.cluster.local", "default", "kubernetes" },
        { "backend-api.production.svc.cluster.local", "production", "backend-api" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Finds_every_address_of_the_service(string name, string @namespace, string service)
    {
        var result = await _env.Pod.RunAsync("busybox", "nslookup", name);

        // No assertion on the exit code: for a dot-less name busybox also reports the NXDOMAIN of the other
        // search suffixes and exits 1 even though it found the name.
        var fullName = DemoCluster.FullName(@namespace, service);
        var addresses = ClientOutput.BusyboxAnswers(result.Output).Where(a => a.Name == fullName).Select(a => a.Address).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(_env.Cluster.AddressesOf(@namespace, service), addresses);
    }

    [Fact]
    public async Task A_dotless_name_is_asked_with_every_search_suffix_and_never_alone()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, "busybox", "nslookup", "web-service");

        var expected = Pod.SearchList.Select(suffix => $"web-service.{suffix}.")
            .SelectMany(n => (SentQuery[])[new(n, RecordType.A, false), new(n, RecordType.AAAA, false)]);
        Assert.Equal(PodNames.Sorted(expected), PodNames.Sorted(trace.Queries));
    }

    /// <summary>The trap users hit most: with a dot in the name busybox skips the search list entirely.</summary>
    [Fact]
    public async Task Kubernetes_default_fails_because_busybox_asks_it_as_an_absolute_name()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, "busybox", "nslookup", "kubernetes.default");

        Assert.NotEqual(0, trace.Result.ExitCode);
        Assert.Empty(ClientOutput.BusyboxAnswers(trace.Result.Output));
        Assert.Contains("can't find kubernetes.default: NXDOMAIN", trace.Result.Output);
        Assert.Equal(
            PodNames.Sorted([new("kubernetes.default.", RecordType.A, false), new("kubernetes.default.", RecordType.AAAA, false)]),
            PodNames.Sorted(trace.Queries));
    }

    [Fact]
    public async Task An_outside_name_is_asked_as_is_and_answered_by_the_upstream()
    {
        var trace = await SentQueries.RecordAsync(_env.Pod, "busybox", "nslookup", PodNames.OutsideName);

        Assert.Equal(0, trace.Result.ExitCode);
        var addresses = ClientOutput.BusyboxAnswers(trace.Result.Output).Select(a => a.Address).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(_env.Upstream.AddressesOf(PodNames.OutsideName + "."), addresses);
        Assert.All(trace.Queries, q => Assert.Equal(PodNames.OutsideName + ".", q.Name));
    }

    [Fact]
    public async Task An_external_name_service_shows_its_canonical_name()
    {
        var service = _env.Cluster.Service("default", "external-database");
        var result = await _env.Pod.RunAsync("busybox", "nslookup", service.Name);

        Assert.Contains($"{DemoCluster.FullName("default", service.Name)}\tcanonical name = {service.ExternalName}", result.Output);
    }
}
