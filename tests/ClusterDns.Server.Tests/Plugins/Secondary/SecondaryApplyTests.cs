using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Secondary;
using ClusterDns.Server.Zones;
using static ClusterDns.Server.Tests.Zones.ZoneEditHarness;

namespace ClusterDns.Server.Tests.Plugins.Secondary;

/// <summary>
/// What the refresher installs from a transfer's outcome: a whole zone built, differences applied to the zone held
/// (the next IXFR then carries the new SOA), and a difference that does not apply leaving the version served as it was.
/// </summary>
public sealed class SecondaryApplyTests
{
    private static readonly string[] Held = ["@ 300 IN NS ns.example.org.", "ns 300 IN A 192.0.2.53", "web 30 IN A 192.0.2.1"];

    private static SecondaryZone HoldingSerial1()
    {
        var zone = new SecondaryZone(Origin, []);
        var whole = new TransferOutcome.Whole(new ZoneSnapshot(Soa(1), Records(Held).ToHashSet()));
        Assert.True(SecondaryRefresher.Apply(zone, null, whole, out var what), what);
        return zone;
    }

    [Fact]
    public void A_whole_zone_is_built_and_held_with_its_soa()
    {
        var zone = HoldingSerial1();

        Assert.Equal(Soa(1), zone.Current!.Soa);
        Assert.Equal(Describe(Build(1, Records(Held))), Describe(zone.Current.Zone));
        Assert.Equal(1, zone.FullTransfers);
    }

    [Fact]
    public void Differences_are_applied_to_the_zone_held_and_the_new_soa_is_kept_for_the_next_request()
    {
        var zone = HoldingSerial1();
        var held = zone.Current!;
        var differences = new[] { Difference(1, 2, [], ["api 30 IN A 192.0.2.2"]), Difference(2, 3, ["web 30 IN A 192.0.2.1"], []) };

        Assert.True(SecondaryRefresher.Apply(zone, held, new TransferOutcome.Incremental(differences), out var what), what);

        Assert.Equal(Soa(3), zone.Current!.Soa);
        Assert.Equal(3u, zone.Current.Zone.Serial);
        Assert.Equal(Describe(Build(3, Records("@ 300 IN NS ns.example.org.", "ns 300 IN A 192.0.2.53", "api 30 IN A 192.0.2.2"))), Describe(zone.Current.Zone));
        // The name the differences did not reach is the held zone's node itself.
        var ns = DnsName.Parse("ns.example.org.").Wire;
        Assert.Same(held.Zone.FindNode(ns), zone.Current.Zone.FindNode(ns));
        Assert.Equal(1, zone.IncrementalTransfers);
    }

    [Theory]
    [InlineData("deletes a record we do not hold", 1u, "web 30 IN A 192.0.2.99", "which we do not hold")]
    [InlineData("starts at another serial", 5u, "web 30 IN A 192.0.2.1", "starts at serial 5")]
    public void A_difference_that_does_not_apply_leaves_the_version_served(string name, uint from, string deleted, string reason)
    {
        _ = name;
        var zone = HoldingSerial1();
        var held = zone.Current!;
        var before = Describe(held.Zone);

        bool applied = SecondaryRefresher.Apply(zone, held, new TransferOutcome.Incremental([Difference(from, from + 1, [deleted], [])]), out var what);

        Assert.False(applied);
        Assert.Contains(reason, what, StringComparison.Ordinal);
        Assert.Same(held, zone.Current);
        Assert.Equal(before, Describe(zone.Current!.Zone));
        Assert.Equal(0, zone.IncrementalTransfers);
    }

    [Fact]
    public void Differences_without_a_version_held_are_refused()
    {
        var zone = new SecondaryZone(Origin, []);

        Assert.False(SecondaryRefresher.Apply(zone, null, new TransferOutcome.Incremental([Difference(1, 2, [], [])]), out var what));
        Assert.Contains("without a version", what, StringComparison.Ordinal);
        Assert.Null(zone.Current);
    }
}
