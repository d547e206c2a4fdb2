using ClusterDns.Server.Zones;
using static ClusterDns.Server.Tests.Zones.ZoneEditHarness;

namespace ClusterDns.Server.Tests.Zones;

/// <summary>
/// An IXFR applied to the zone held (RFC 1995 §4): the result must be the zone a whole build of the resulting records
/// gives (every node, empty non-terminals and child counts included), and a difference that does not apply is refused
/// with its reason, the zone held untouched.
/// </summary>
public sealed class ZoneEditTests
{
    private static readonly string[] BaseZone =
    [
        "@ 300 IN NS ns.example.org.",
        "ns 300 IN A 192.0.2.53",
        "web 30 IN A 192.0.2.1",
        "_http._tcp.web 30 IN SRV 0 100 80 web.example.org.",
        "h1.ent 30 IN A 192.0.2.11",
        "h2.ent 30 IN A 192.0.2.12",
        "x.y.z 30 IN A 192.0.2.20",
        "alias 30 IN CNAME web.example.org.",
        "multi 30 IN A 192.0.2.31",
        "multi 30 IN A 192.0.2.32",
    ];

    /// <param name="Sequences">Each: from serial, to serial, records deleted, records added.</param>
    /// <param name="Expected">The records of the zone afterwards (besides the last SOA), or null when the apply is refused.</param>
    /// <param name="Error">A part of the reason of a refusal.</param>
    public sealed record Case((uint From, uint To, string[] Deleted, string[] Added)[] Sequences, string[]? Expected, string? Error = null)
    {
        public override string ToString() => $"{Sequences.Length} sequence(s)";
    }

    private static string[] Without(params string[] removed) => BaseZone.Except(removed).ToArray();

    private static string[] With(params string[] added) => [.. BaseZone, .. added];

    public static TheoryData<string, Case> Cases() => new()
    {
        { "add to an existing name", new([(1, 2, [], ["web 30 IN A 192.0.2.2"])], With("web 30 IN A 192.0.2.2")) },
        { "a new type at an existing name", new([(1, 2, [], ["web 30 IN AAAA 2001:db8::1"])], With("web 30 IN AAAA 2001:db8::1")) },
        { "a new deep name creates its empty non-terminals", new([(1, 2, [], ["a.b.c 30 IN A 192.0.2.40"])], With("a.b.c 30 IN A 192.0.2.40")) },
        { "a new name below an existing empty non-terminal", new([(1, 2, [], ["h3.ent 30 IN A 192.0.2.13"])], With("h3.ent 30 IN A 192.0.2.13")) },
        { "data at an empty non-terminal", new([(1, 2, [], ["ent 30 IN TXT \"now data\""])], With("ent 30 IN TXT \"now data\"")) },
        { "deleting the last record of a name removes it and its empty ancestors",
            new([(1, 2, ["x.y.z 30 IN A 192.0.2.20"], [])], Without("x.y.z 30 IN A 192.0.2.20")) },
        { "an ancestor with another child stays", new([(1, 2, ["h1.ent 30 IN A 192.0.2.11"], [])], Without("h1.ent 30 IN A 192.0.2.11")) },
        { "both children gone: the empty non-terminal goes too",
            new([(1, 2, ["h1.ent 30 IN A 192.0.2.11", "h2.ent 30 IN A 192.0.2.12"], [])], Without("h1.ent 30 IN A 192.0.2.11", "h2.ent 30 IN A 192.0.2.12")) },
        { "a name with children that loses its data becomes an empty non-terminal",
            new([(1, 2, ["web 30 IN A 192.0.2.1"], [])], Without("web 30 IN A 192.0.2.1")) },
        { "one record of two deleted", new([(1, 2, ["multi 30 IN A 192.0.2.31"], [])], Without("multi 30 IN A 192.0.2.31")) },
        { "a changed address is a deletion and an addition",
            new([(1, 2, ["multi 30 IN A 192.0.2.31"], ["multi 30 IN A 192.0.2.33"])], [.. Without("multi 30 IN A 192.0.2.31"), "multi 30 IN A 192.0.2.33"]) },
        { "a changed TTL", new([(1, 2, ["multi 30 IN A 192.0.2.31", "multi 30 IN A 192.0.2.32"], ["multi 60 IN A 192.0.2.31", "multi 60 IN A 192.0.2.32"])],
            [.. Without("multi 30 IN A 192.0.2.31", "multi 30 IN A 192.0.2.32"), "multi 60 IN A 192.0.2.31", "multi 60 IN A 192.0.2.32"]) },
        { "an addition with a new TTL sets the RRset's (one TTL per RRset)",
            new([(1, 2, [], ["multi 90 IN A 192.0.2.33"])], [.. Without("multi 30 IN A 192.0.2.31", "multi 30 IN A 192.0.2.32"),
                "multi 90 IN A 192.0.2.31", "multi 90 IN A 192.0.2.32", "multi 90 IN A 192.0.2.33"]) },
        { "a deletion names the record, not its TTL", new([(1, 2, ["multi 600 IN A 192.0.2.31"], [])], Without("multi 30 IN A 192.0.2.31")) },
        { "a record already held added again changes nothing", new([(1, 2, [], ["web 30 IN A 192.0.2.1"])], BaseZone) },
        { "a name deleted and added back in one sequence", new([(1, 2, ["x.y.z 30 IN A 192.0.2.20"], ["x.y.z 30 IN A 192.0.2.21"])],
            [.. Without("x.y.z 30 IN A 192.0.2.20"), "x.y.z 30 IN A 192.0.2.21"]) },
        { "a CNAME replacing an address", new([(1, 2, ["multi 30 IN A 192.0.2.31", "multi 30 IN A 192.0.2.32"], ["multi 30 IN CNAME web.example.org."])],
            [.. Without("multi 30 IN A 192.0.2.31", "multi 30 IN A 192.0.2.32"), "multi 30 IN CNAME web.example.org."]) },
        { "a new delegation", new([(1, 2, [], ["sub 300 IN NS ns.example.net."])], With("sub 300 IN NS ns.example.net.")) },
        { "apex NS changed", new([(1, 2, ["@ 300 IN NS ns.example.org."], ["@ 300 IN NS ns2.example.org."])],
            [.. Without("@ 300 IN NS ns.example.org."), "@ 300 IN NS ns2.example.org."]) },
        { "several sequences in order", new([(1, 2, [], ["new 30 IN A 192.0.2.50"]), (2, 3, ["new 30 IN A 192.0.2.50"], ["new 30 IN A 192.0.2.51"]), (3, 4, ["web 30 IN A 192.0.2.1"], [])],
            [.. Without("web 30 IN A 192.0.2.1"), "new 30 IN A 192.0.2.51"]) },
        { "a later sequence deletes what an earlier one added", new([(1, 2, [], ["d.e.f 30 IN A 192.0.2.60"]), (2, 3, ["d.e.f 30 IN A 192.0.2.60"], [])], BaseZone) },
        { "a sequence with only a new SOA", new([(1, 2, [], [])], BaseZone) },

        { "CNAME beside other data refused", new([(1, 2, [], ["web 30 IN CNAME other.example.org."])], null, "has a CNAME record and other data") },
        { "other data beside a CNAME refused", new([(1, 2, [], ["alias 30 IN A 192.0.2.70"])], null, "has a CNAME record and other data") },
        { "a second CNAME refused", new([(1, 2, [], ["alias 30 IN CNAME other.example.org."])], null, "more than one CNAME") },
        { "deleting a record not held refused", new([(1, 2, ["web 30 IN A 192.0.2.99"], [])], null, "which we do not hold") },
        { "deleting a type not held refused", new([(1, 2, ["web 30 IN TXT \"no\""], [])], null, "which we do not hold") },
        { "deleting at a name not held refused", new([(1, 2, ["nothere 30 IN A 192.0.2.1"], [])], null, "which we do not hold") },
        { "deleting at an empty non-terminal refused", new([(1, 2, ["ent 30 IN A 192.0.2.1"], [])], null, "which we do not hold") },
        { "deleting the same record twice refused", new([(1, 2, ["web 30 IN A 192.0.2.1", "web 30 IN A 192.0.2.1"], [])], null, "which we do not hold") },
        { "a sequence from another serial refused", new([(7, 8, [], ["new 30 IN A 192.0.2.50"])], null, "starts at serial 7, we are at 1") },
        { "a second sequence from another serial refused", new([(1, 2, [], []), (3, 4, [], [])], null, "starts at serial 3, we are at 2") },
        { "an SOA inside the additions refused", new([(1, 2, [], ["@ 300 IN SOA ns.example.org. h.example.org. 9 1 1 1 1"])], null, "adds the SOA") },
        { "an SOA below the apex refused", new([(1, 2, [], ["sub 300 IN SOA ns.example.org. h.example.org. 9 1 1 1 1"])], null, "is not at the zone apex") },
        { "a deletion of the SOA refused", new([(1, 2, ["@ 300 IN SOA ns.example.org. hostmaster.example.org. 1 7200 1800 86400 30"], [])], null, "deletes the SOA") },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Apply_gives_the_zone_a_whole_build_gives(string name, Case test)
    {
        _ = name;
        var held = Build(1, Records(BaseZone));
        var before = Describe(held);
        var differences = test.Sequences.Select(s => Difference(s.From, s.To, s.Deleted, s.Added)).ToList();

        bool applied = held.TryApply(differences, out var next, out var error);

        Assert.Equal(before, Describe(held));
        if (test.Expected is null)
        {
            Assert.False(applied, "the apply should be refused");
            Assert.Null(next);
            Assert.Contains(test.Error!, error, StringComparison.Ordinal);
            return;
        }
        Assert.True(applied, error);
        var expected = Build(test.Sequences[^1].To, Records(test.Expected));
        Assert.Equal(Describe(expected), Describe(next!));
        var names = expected.Nodes.Concat(next!.Nodes).Concat(held.Nodes).Select(node => node.Name).ToList();
        Assert.Equal(Answers(expected, names), Answers(next, names));
    }

    [Fact]
    public void An_apply_without_sequences_is_refused()
    {
        var held = Build(1, Records(BaseZone));

        Assert.False(held.TryApply([], out _, out var error));
        Assert.Contains("without difference sequences", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_name_is_answered_and_a_removed_one_is_nxdomain()
    {
        var held = Build(1, Records(BaseZone));

        Assert.True(held.TryApply([Difference(1, 2, ["x.y.z 30 IN A 192.0.2.20"], ["a.b.c 30 IN A 192.0.2.40"])], out var next, out var error), error);

        Assert.Equal(2u, next.Serial);
        Assert.True(next.IsNameAbsent(Records("x.y.z 1 IN A 192.0.2.1")[0].Name.Wire));
        Assert.True(next.IsNameAbsent(Records("z 1 IN A 192.0.2.1")[0].Name.Wire));
        Assert.False(next.IsNameAbsent(Records("b.c 1 IN A 192.0.2.1")[0].Name.Wire));
        Assert.False(held.IsNameAbsent(Records("z 1 IN A 192.0.2.1")[0].Name.Wire));
        Assert.True(held.IsNameAbsent(Records("b.c 1 IN A 192.0.2.1")[0].Name.Wire));
    }
}
