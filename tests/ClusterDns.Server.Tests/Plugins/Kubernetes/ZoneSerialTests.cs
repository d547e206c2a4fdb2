using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Persistence;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>The SOA serial is the highest applied resourceVersion (mod 2^32), never backwards (RFC 1982), kept across a restart by the state file.</summary>
public sealed class ZoneSerialTests
{
    [Theory]
    [InlineData(2u, 1u, true)]
    [InlineData(1u, 2u, false)]
    [InlineData(7u, 7u, false)]
    [InlineData(5u, 0xFFFF_FFF0u, true)] // wrapped past 2^32
    [InlineData(0xFFFF_FFF0u, 5u, false)]
    [InlineData(0x8000_0005u, 5u, false)] // exactly 2^31 apart: undefined, so not after
    public void Rfc1982_order(uint s1, uint s2, bool after)
    {
        Assert.Equal(after, ResourceVersionSerial.IsAfter(s1, s2));
    }

    [Theory]
    [InlineData(new string[0], true, 10u, 11u)] // no versions: one more per publish, as before
    [InlineData(new[] { "abc", "900" }, false, 10u, 11u)] // opaque versions: the same
    [InlineData(new[] { "900", "" }, true, 10u, 900u)]
    [InlineData(new[] { "900", "905", "901" }, true, 10u, 905u)]
    [InlineData(new[] { "5" }, false, 10u, 10u)] // behind what was shown, records unchanged (or not listed yet): kept
    [InlineData(new[] { "5" }, true, 10u, 11u)] // behind, records changed (a late event of another watch): one more
    [InlineData(new[] { "5000000007" }, true, 10u, 705032711u)] // an etcd revision above 2^32: modulo 2^32
    [InlineData(new[] { "5", "" }, true, 10u, 11u)] // behind, with a change without a version: one more
    public void Next_serial_from_applied_versions(string[] versions, bool recordsChanged, uint current, uint next)
    {
        var serial = new ResourceVersionSerial();
        foreach (var version in versions)
        {
            serial.Observe(version);
        }
        Assert.Equal(next, serial.Next(current, recordsChanged));
    }

    [Fact]
    public async Task The_soa_serial_is_the_highest_applied_resource_version_whatever_the_batching()
    {
        var stepwise = new ClusterZoneFixture();
        var batched = new ClusterZoneFixture();
        var web = Service("web", "10.96.0.10", "1200");
        var db = Service("db", "10.96.0.11", "1250");

        stepwise.Upsert(web);
        stepwise.Builder.Publish();
        Assert.Equal(1200u, await SerialAsync(stepwise));
        stepwise.Upsert(db);
        stepwise.Builder.Publish();
        stepwise.Builder.Apply(ClusterChange.Delete(ResourceKind.Service, "default/web", "1300"));
        stepwise.Builder.Publish();

        batched.Upsert(db);
        batched.Builder.Apply(ClusterChange.Delete(ResourceKind.Service, "default/web", "1300"));
        batched.Builder.Publish();

        // Two replicas that applied the same changes show the same serial.
        Assert.Equal(1300u, await SerialAsync(stepwise));
        Assert.Equal(1300u, await SerialAsync(batched));
    }

    [Fact]
    public async Task A_change_that_arrives_after_a_later_version_still_moves_the_serial()
    {
        var fixture = new ClusterZoneFixture();
        fixture.Upsert(Service("web", "10.96.0.10", "1200"));
        fixture.Builder.Publish();
        fixture.Upsert(Service("db", "10.96.0.11", "1300"));
        fixture.Builder.Publish();

        // Another watch's event from before 1300, delivered after it: the zone changes, so its serial must too
        // (a secondary that holds 1300 would otherwise never ask for it).
        fixture.Upsert(Service("api", "10.96.0.12", "1250"));
        Assert.True(fixture.Builder.Publish());
        Assert.Equal(1301u, await SerialAsync(fixture));

        // The next later version takes over again.
        fixture.Upsert(Service("cache", "10.96.0.13", "1400"));
        fixture.Builder.Publish();
        Assert.Equal(1400u, await SerialAsync(fixture));
    }

    [Fact]
    public void A_restart_from_the_state_file_continues_from_the_saved_serial()
    {
        var before = new ClusterZoneFixture();
        before.Upsert(Service("web", "10.96.0.10", "1200"));
        before.Builder.Apply(ClusterChange.Delete(ResourceKind.Service, "default/gone", "1400"));
        before.Builder.Publish();
        var saved = before.Builder.CopyObjects()!; // everything applied is published
        Assert.Equal(1400u, saved.Serial);

        var image = ClusterStateFormat.Encode(saved, "hash");
        Assert.True(ClusterStateFormat.TryDecode(image, "hash", out var loaded, out _));
        Assert.Equal(1400u, loaded!.Serial);

        // The objects alone say 1200 (the delete at 1400 left no object): the saved serial keeps it from going back.
        var after = new ClusterZoneFixture();
        after.Builder.ContinueSerialFrom(loaded.Serial);
        foreach (var service in loaded.Services)
        {
            after.Upsert(service);
        }
        after.Builder.Publish();
        Assert.False(ResourceVersionSerial.IsAfter(1400u, after.Builder.Current.Serial));
        // The state file keeps no version for a Service record: one more than 1400, until the next change's version.
        Assert.Equal(1401u, after.Builder.Current.Serial);
        after.Builder.Apply(ClusterChange.Delete(ResourceKind.Service, "default/web", "1500"));
        after.Builder.Publish();
        Assert.Equal(1500u, after.Builder.Current.Serial);
    }

    private static ServiceObject Service(string name, string ip, string resourceVersion) => new()
    {
        Namespace = "default",
        Name = name,
        Type = "ClusterIP",
        ClusterIPs = [System.Net.IPAddress.Parse(ip)],
        ResourceVersion = resourceVersion,
    };

    private static async Task<uint> SerialAsync(ClusterZoneFixture fixture)
    {
        var answer = Assert.Single((await fixture.AskAsync("cluster.local.", RecordType.SOA)).Answers);
        return Assert.IsType<SoaData>(answer.Data).Serial;
    }
}
