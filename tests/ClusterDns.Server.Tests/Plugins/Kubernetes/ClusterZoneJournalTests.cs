using ClusterDns.Protocol;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// The cluster zone's IXFR journal is fed by the builder's publishes, from the names and Services each one touched.
/// Whatever the changes, the differences it keeps must bring the version a secondary transferred earlier exactly
/// to the version a whole transfer now sends (RFC 1995 §4, applied strictly: a deletion of a record not held, or an
/// addition of one already held, is a failure), for every zone of the block, after each publish and over a run of
/// many publishes. Seeded random changes of every kind, with few names and addresses so owners share names.
/// </summary>
public sealed class ClusterZoneJournalTests
{
    [Theory]
    [InlineData(11, "kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure\n endpoint_pod_names }")]
    [InlineData(12, "kubernetes cluster.local in-addr.arpa ip6.arpa { namespaces a b\n ttl 7 }")]
    [InlineData(13, "kubernetes cluster.local 10.in-addr.arpa { ignore empty_service\n labels tier=web }")]
    public void Each_publish_difference_brings_the_earlier_transfer_to_the_next(int seed, string block)
    {
        var random = new Random(seed);
        var fixture = new ClusterZoneFixture(block);
        var zones = fixture.Options.Zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        var journals = zones.Select(zone => Assert.IsType<TransferJournal>(fixture.Handler.OpenJournal(zone))).ToArray();
        var first = zones.Select(zone => Capture(fixture, zone)).ToArray();
        var previous = first.ToArray();
        int differences = 0;
        for (int batch = 0; batch < 120; batch++)
        {
            for (int i = random.Next(1, 6); i > 0; i--)
            {
                var (kind, key, obj) = IncrementalZoneConsistencyTests.RandomChange(random);
                if (obj is null)
                {
                    fixture.Delete(kind, key);
                }
                else
                {
                    fixture.Upsert(obj);
                }
            }
            if (!fixture.Builder.Publish())
            {
                continue;
            }
            for (int z = 0; z < zones.Length; z++)
            {
                var now = Capture(fixture, zones[z]);
                var run = journals[z].DifferencesSince(previous[z].Serial, now.Serial);
                Assert.NotNull(run);
                Assert.Equal(Lines(now), Lines(Apply(previous[z], run)));
                differences += run.Sum(d => d.Deleted.Count + d.Added.Count);
                previous[z] = now;
            }
        }
        Assert.True(differences > 50, $"only {differences} records changed: the changes no longer reach the zones");
        // The whole run from the first version still applies in one IXFR.
        for (int z = 0; z < zones.Length; z++)
        {
            var run = journals[z].DifferencesSince(first[z].Serial, previous[z].Serial);
            Assert.NotNull(run);
            Assert.Equal(Lines(previous[z]), Lines(Apply(first[z], run)));
        }
    }

    [Fact]
    public void A_journal_knows_nothing_before_it_was_opened_and_a_serial_it_never_saw_gets_the_whole_zone()
    {
        var fixture = new ClusterZoneFixture().LoadDemoCluster();
        var zone = DnsName.Parse("cluster.local").Wire.ToArray();
        var before = Capture(fixture, zone);
        fixture.Delete(ClusterDns.Kubernetes.ResourceKind.Service, "default/web-service");
        Assert.True(fixture.Builder.Publish());

        var journal = fixture.Handler.OpenJournal(zone)!;
        var opened = Capture(fixture, zone);
        Assert.Null(journal.DifferencesSince(before.Serial, opened.Serial));

        fixture.Delete(ClusterDns.Kubernetes.ResourceKind.Service, "default/nodeport-service");
        Assert.True(fixture.Builder.Publish());
        var now = Capture(fixture, zone);
        var run = Assert.Single(journal.DifferencesSince(opened.Serial, now.Serial)!);
        Assert.Empty(run.Added);
        Assert.Contains(run.Deleted, r => r.Name.ToString() == "nodeport-service.default.svc.cluster.local." && r.Type == RecordType.A);
        Assert.Null(journal.DifferencesSince(now.Serial + 1000, now.Serial));
        // A handler for another zone keeps no journal of it.
        Assert.Null(fixture.Handler.OpenJournal(DnsName.Parse("example.org").Wire));
    }

    private static ZoneSnapshot Capture(ClusterZoneFixture fixture, byte[] zone)
    {
        var cursor = fixture.Handler.OpenTransfer(zone)!;
        Assert.True(ZoneSnapshot.TryCapture(DnsName.FromWire(zone), cursor, out var snapshot, out var error), error);
        return snapshot;
    }

    /// <summary>RFC 1995 §4, strictly: each sequence starts at the serial reached, deletes only what is held, adds only what is not.</summary>
    private static ZoneSnapshot Apply(ZoneSnapshot from, IReadOnlyList<ZoneDifference> run)
    {
        var records = new HashSet<DnsRecord>(from.Records);
        var soa = from.Soa;
        foreach (var difference in run)
        {
            Assert.Equal(((SoaData)soa.Data).Serial, difference.FromSerial);
            Assert.All(difference.Deleted, r => Assert.True(records.Remove(r), $"deletes {r}, which is not held"));
            Assert.All(difference.Added, r => Assert.True(records.Add(r), $"adds {r}, which is held already"));
            soa = difference.ToSoa;
        }
        return new ZoneSnapshot(soa, records);
    }

    private static string[] Lines(ZoneSnapshot snapshot) =>
        [snapshot.Soa.ToString(), .. snapshot.Records.Select(r => r.ToString()).Order(StringComparer.Ordinal)];
}
