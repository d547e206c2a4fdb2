using ClusterDns.Protocol;
using ClusterDns.Protocol.Text;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Tests.Zones;

/// <summary>
/// The IXFR journal (RFC 1995): versions captured through a real zone's transfer cursor, the differences between
/// them as deletions and additions, and when a client must get the whole zone instead (its serial fell off the
/// bounded journal, was never sent, or the differences are larger than the zone).
/// </summary>
public sealed class TransferJournalTests
{
    private static readonly DnsName Origin = DnsName.Parse("example.org.");

    private const string Base = """
        @ 300 IN SOA ns.example.org. hostmaster.example.org. {0} 7200 1800 86400 30
        @ 300 IN NS ns.example.org.
        ns 300 IN A 192.0.2.53
        web 30 IN A 192.0.2.1
        web 30 IN A 192.0.2.2
        db 30 IN A 192.0.2.3
        _http._tcp.web 30 IN SRV 0 100 80 web.example.org.
        """;

    private static TransferCursor Version(uint serial, params string[] extra)
    {
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, Base, serial) + "\n" + string.Join('\n', extra) + "\n";
        var parsed = ZoneFileReader.Read(new StringReader(text), "test.zone", Origin);
        Assert.True(parsed.Succeeded, parsed.Error?.ToString());
        Assert.True(AuthoritativeZone.TryCreate(Origin, parsed.Records, out var zone, out var error), error);
        return zone.OpenTransfer();
    }

    /// <summary>Version 1 edited: one record added, one deleted, one changed (address), one TTL changed.</summary>
    private static TransferCursor Edited(uint serial)
    {
        var text = $"""
            @ 300 IN SOA ns.example.org. hostmaster.example.org. {serial} 7200 1800 86400 30
            @ 300 IN NS ns.example.org.
            ns 300 IN A 192.0.2.53
            web 30 IN A 192.0.2.1
            web 30 IN A 192.0.2.9
            _http._tcp.web 60 IN SRV 0 100 80 web.example.org.
            api 30 IN AAAA 2001:db8::1
            """;
        var parsed = ZoneFileReader.Read(new StringReader(text), "edited.zone", Origin);
        Assert.True(AuthoritativeZone.TryCreate(Origin, parsed.Records, out var zone, out var error), error);
        return zone.OpenTransfer();
    }

    [Fact]
    public void Adds_deletes_and_changes_are_one_difference_of_deletions_and_additions()
    {
        var journal = new TransferJournal(Origin);
        journal.Capture(Version(1));
        var latest = journal.Capture(Edited(2))!;

        var difference = Assert.Single(journal.DifferencesSince(1, latest)!);

        Assert.Equal((1u, 2u), (difference.FromSerial, difference.ToSerial));
        Assert.Equal(
            [
                "_http._tcp.web.example.org. 30 in srv 0 100 80 web.example.org.",
                "db.example.org. 30 in a 192.0.2.3",
                "web.example.org. 30 in a 192.0.2.2",
            ],
            InProcessQuery.Lines(difference.Deleted));
        Assert.Equal(
            [
                "_http._tcp.web.example.org. 60 in srv 0 100 80 web.example.org.",
                "api.example.org. 30 in aaaa 2001:db8::1",
                "web.example.org. 30 in a 192.0.2.9",
            ],
            InProcessQuery.Lines(difference.Added));
    }

    [Fact]
    public void A_client_gets_every_difference_after_its_serial_in_order()
    {
        var journal = new TransferJournal(Origin);
        journal.Capture(Version(1));
        journal.Capture(Version(2, "a 30 IN A 192.0.2.10"));
        var latest = journal.Capture(Version(3, "a 30 IN A 192.0.2.10", "b 30 IN A 192.0.2.11"))!;

        Assert.Equal([(1u, 2u), (2u, 3u)], journal.DifferencesSince(1, latest)!.Select(d => (d.FromSerial, d.ToSerial)));
        Assert.Equal([(2u, 3u)], journal.DifferencesSince(2, latest)!.Select(d => (d.FromSerial, d.ToSerial)));
        Assert.Equal(["b.example.org. 30 in a 192.0.2.11"], InProcessQuery.Lines(journal.DifferencesSince(2, latest)![0].Added));
    }

    [Theory]
    [InlineData(7u)] // never sent
    [InlineData(0u)]
    public void A_serial_the_journal_never_held_gets_the_whole_zone(uint clientSerial)
    {
        var journal = new TransferJournal(Origin);
        journal.Capture(Version(1));
        var latest = journal.Capture(Version(2, "a 30 IN A 192.0.2.10"))!;

        Assert.Null(journal.DifferencesSince(clientSerial, latest));
    }

    [Fact]
    public void Differences_that_fall_off_the_bounded_journal_mean_the_whole_zone()
    {
        var journal = new TransferJournal(Origin, maxDifferences: 2);
        ZoneSnapshot latest = journal.Capture(Version(1))!;
        for (uint serial = 2; serial <= 4; serial++)
        {
            latest = journal.Capture(Version(serial, $"host{serial} 30 IN A 192.0.2.{serial}"))!;
        }

        Assert.Equal(2, journal.DifferenceCount);
        Assert.Null(journal.DifferencesSince(1, latest));
        Assert.Equal([(2u, 3u), (3u, 4u)], journal.DifferencesSince(2, latest)!.Select(d => (d.FromSerial, d.ToSerial)));
    }

    [Fact]
    public void The_record_budget_drops_the_oldest_differences_first()
    {
        // Each difference here is 4 records on the wire (two SOAs, one deletion, one addition).
        var journal = new TransferJournal(Origin, maxRecords: 9);
        ZoneSnapshot latest = journal.Capture(Version(1, "x 30 IN A 192.0.2.100"))!;
        for (uint serial = 2; serial <= 4; serial++)
        {
            latest = journal.Capture(Version(serial, $"x 30 IN A 192.0.2.{100 + serial}"))!;
        }

        Assert.Equal(2, journal.DifferenceCount);
        Assert.Null(journal.DifferencesSince(1, latest));
        Assert.Equal(2, journal.DifferencesSince(2, latest)!.Count);
    }

    [Fact]
    public void Differences_larger_than_the_zone_itself_mean_the_whole_zone()
    {
        var journal = new TransferJournal(Origin);
        journal.Capture(Version(1, "a 30 IN A 192.0.2.10", "b 30 IN A 192.0.2.11", "c 30 IN A 192.0.2.12"));
        var latest = journal.Capture(Version(2, "d 30 IN A 192.0.2.13", "e 30 IN A 192.0.2.14", "f 30 IN A 192.0.2.15", "g 30 IN A 192.0.2.16"))!;

        // 3 deleted + 4 added + 2 SOAs = 9 records of difference, fewer than the 10 records and 2 SOAs of the zone.
        Assert.NotNull(journal.DifferencesSince(1, latest));
        var smaller = new TransferJournal(Origin);
        smaller.Capture(Version(1, Enumerable.Range(0, 20).Select(i => $"n{i} 30 IN A 192.0.2.{i}").ToArray()));
        var replaced = smaller.Capture(Version(2, Enumerable.Range(0, 20).Select(i => $"m{i} 30 IN A 192.0.2.{i}").ToArray()))!;
        Assert.Null(smaller.DifferencesSince(1, replaced));
    }

    [Fact]
    public void The_same_serial_is_not_captured_twice_and_a_serial_that_goes_back_clears_the_journal()
    {
        var journal = new TransferJournal(Origin);
        var first = journal.Capture(Version(5))!;
        Assert.Same(first, journal.Capture(Version(5, "ignored 30 IN A 192.0.2.99")));
        journal.Capture(Version(6, "a 30 IN A 192.0.2.10"));
        Assert.Equal(1, journal.DifferenceCount);

        // A primary that started again with an older serial: what old serials meant is no longer known.
        var restarted = journal.Capture(Version(2, "b 30 IN A 192.0.2.11"))!;

        Assert.Equal(0, journal.DifferenceCount);
        Assert.Null(journal.DifferencesSince(5, restarted));
    }

    private static ZoneSnapshot Snapshot(TransferCursor cursor)
    {
        Assert.True(ZoneSnapshot.TryCapture(Origin, cursor, out var snapshot, out var error), error);
        return snapshot;
    }

    [Fact]
    public void Appended_differences_make_a_run_up_to_the_serial_asked_and_a_gap_or_a_serial_that_stays_starts_it_again()
    {
        var journal = new TransferJournal(Origin);
        var v1 = Snapshot(Version(1));
        var v2 = Snapshot(Version(2, "a 30 IN A 192.0.2.10"));
        var v3 = Snapshot(Version(3, "a 30 IN A 192.0.2.10", "b 30 IN A 192.0.2.11"));
        var v5 = Snapshot(Version(5, "c 30 IN A 192.0.2.12"));
        journal.Append(ZoneDifference.Between(v1, v2));
        journal.Append(ZoneDifference.Between(v2, v3));

        // The cursor read serial 2 while 3 was appended: the run stops at 2.
        Assert.Equal([1u], journal.DifferencesSince(1, 2)!.Select(d => d.FromSerial));
        Assert.Equal([1u, 2u], journal.DifferencesSince(1, 3)!.Select(d => d.FromSerial));
        Assert.Null(journal.DifferencesSince(1, 4));
        Assert.Null(journal.DifferencesSince(4, 3));

        // A gap (3 → 5 was never seen as such): serials before it can no longer be brought up to date.
        journal.Append(ZoneDifference.Between(Snapshot(Version(4)), v5));
        Assert.Equal(1, journal.DifferenceCount);
        Assert.Null(journal.DifferencesSince(1, 5));
        Assert.Single(journal.DifferencesSince(4, 5)!);

        // A publish whose serial did not move: the content may differ under the same serial, so nothing is kept.
        journal.Append(ZoneDifference.Between(v5, Snapshot(Version(5, "d 30 IN A 192.0.2.13"))));
        Assert.Equal(0, journal.DifferenceCount);
    }
}
