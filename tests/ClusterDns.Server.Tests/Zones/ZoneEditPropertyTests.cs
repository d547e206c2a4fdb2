using ClusterDns.Protocol;
using ClusterDns.Server.Zones;
using static ClusterDns.Server.Tests.Zones.ZoneEditHarness;

namespace ClusterDns.Server.Tests.Zones;

/// <summary>
/// Random versions of a zone, sent as difference sequences the way a primary's journal sends them: the zone applied
/// in place answers exactly as a whole build of the same records, and shares every node the change did not reach.
/// </summary>
public sealed class ZoneEditPropertyTests
{
    private static readonly string[] Labels = ["a", "b", "c"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Applying_random_differences_equals_a_whole_build(int seed)
    {
        var random = new Random(seed);
        var records = new HashSet<DnsRecord>(RandomRecords(random, 25));
        uint serial = 1;
        var held = Build(serial, records);
        for (int round = 0; round < 40; round++)
        {
            var differences = new List<ZoneDifference>();
            var reached = new HashSet<byte[]>(new NameComparer());
            for (int sequences = random.Next(1, 4); sequences > 0; sequences--)
            {
                var next = Change(random, records);
                var deleted = records.Except(next).ToList();
                var added = next.Except(records).ToList();
                differences.Add(new ZoneDifference(Soa(serial), Soa(serial + 1), deleted, added));
                foreach (var record in deleted.Concat(added))
                {
                    reached.Add(record.Name.ToLower().Wire.ToArray());
                }
                records = next;
                serial++;
            }

            Assert.True(held.TryApply(differences, out var applied, out var error), error);

            var expected = Build(serial, records);
            Assert.Equal(Describe(expected), Describe(applied));
            var names = expected.Nodes.Concat(held.Nodes).Select(node => node.Name).ToList();
            Assert.Equal(Answers(expected, names), Answers(applied, names));
            AssertUnreachedNodesShared(held, applied, reached);
            held = applied;
        }
    }

    [Fact]
    public void One_service_changed_in_a_large_zone_shares_every_other_node()
    {
        var records = new List<DnsRecord>();
        for (int i = 0; i < 500; i++)
        {
            records.AddRange(Records($"s{i}.ns{i % 10}.svc 30 IN A 10.0.{i / 250}.{i % 250}", $"_http._tcp.s{i}.ns{i % 10}.svc 30 IN SRV 0 100 80 s{i}.ns{i % 10}.svc.example.org."));
        }
        var held = Build(1, records);
        var change = Difference(1, 2, ["s7.ns7.svc 30 IN A 10.0.0.7"], ["s7.ns7.svc 30 IN A 10.0.9.7", "new.ns3.svc 30 IN A 10.0.9.8"]);

        Assert.True(held.TryApply([change], out var next, out var error), error);

        // New nodes: the changed name, the new name, the parent that gained a child, and the apex (its SOA).
        var rebuilt = new[] { "s7.ns7.svc.example.org.", "new.ns3.svc.example.org.", "ns3.svc.example.org.", "example.org." }
            .Select(name => DnsName.Parse(name).Wire.ToArray()).ToHashSet(new NameComparer());
        foreach (var node in next.Nodes)
        {
            var before = held.FindNode(node.Name);
            if (rebuilt.Contains(node.Name))
            {
                Assert.False(ReferenceEquals(before, node), $"{DnsName.Format(node.Name)} should be a new node");
            }
            else
            {
                Assert.True(ReferenceEquals(before, node), $"{DnsName.Format(node.Name)} should be shared with the zone held");
            }
        }
        Assert.Equal(held.Nodes.Count() + 1, next.Nodes.Count());
        Assert.Equal(held.RecordCount + 1, next.RecordCount);
    }

    /// <summary>Nodes of names no record of the differences named, nor any of their ancestors, are the very same objects.</summary>
    private static void AssertUnreachedNodesShared(AuthoritativeZone held, AuthoritativeZone applied, HashSet<byte[]> reached)
    {
        var near = new HashSet<byte[]>(reached, new NameComparer()) { held.Apex.Name };
        foreach (var name in reached)
        {
            for (var ancestor = name; ancestor.Length > held.Apex.Name.Length; ancestor = ancestor[(ancestor[0] + 1)..])
            {
                near.Add(ancestor);
            }
        }
        foreach (var node in applied.Nodes.Where(node => !near.Contains(node.Name)))
        {
            Assert.Same(held.FindNode(node.Name), node);
        }
    }

    /// <summary>A few random changes: records added (one TTL per RRset kept), records deleted, an RRset's TTL changed.</summary>
    private static HashSet<DnsRecord> Change(Random random, HashSet<DnsRecord> records)
    {
        var next = new HashSet<DnsRecord>(records);
        for (int i = random.Next(1, 6); i > 0; i--)
        {
            switch (random.Next(4))
            {
                case 0 when next.Count > 0:
                    next.Remove(next.ElementAt(random.Next(next.Count)));
                    break;
                case 1 when next.Count > 0:
                    var rrset = next.ElementAt(random.Next(next.Count));
                    uint ttl = (uint)random.Next(1, 5) * 30;
                    foreach (var member in next.Where(rrset.IsSameRRset).ToList())
                    {
                        next.Remove(member);
                        next.Add(member with { Ttl = ttl });
                    }
                    break;
                default:
                    foreach (var record in RandomRecords(random, 1))
                    {
                        if (Fits(next, record))
                        {
                            var peer = next.FirstOrDefault(record.IsSameRRset);
                            next.Add(peer is null ? record : record with { Ttl = peer.Ttl });
                        }
                    }
                    break;
            }
        }
        return next;
    }

    /// <summary>A CNAME stays alone at its name (RFC 1034 §3.6.2); the property is about valid zones.</summary>
    private static bool Fits(HashSet<DnsRecord> records, DnsRecord record)
    {
        var atName = records.Where(other => other.Name.Equals(record.Name)).ToList();
        return record.Type == RecordType.CNAME
            ? atName.All(other => other.Type == RecordType.CNAME && other.Equals(record)) || atName.Count == 0
            : atName.All(other => other.Type != RecordType.CNAME);
    }

    private static IEnumerable<DnsRecord> RandomRecords(Random random, int count)
    {
        var made = new List<DnsRecord>();
        while (made.Count < count)
        {
            var name = string.Join('.', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Labels[random.Next(Labels.Length)]));
            var line = random.Next(6) switch
            {
                0 => $"{name} 30 IN TXT \"t{random.Next(3)}\"",
                1 => $"{name} 30 IN CNAME {Labels[random.Next(Labels.Length)]}.example.org.",
                2 => $"{name} 30 IN NS ns{random.Next(2)}.example.net.",
                3 => $"{name} 30 IN MX 10 {Labels[random.Next(Labels.Length)]}.example.org.",
                _ => $"{name} 30 IN A 192.0.2.{random.Next(4)}",
            };
            var record = Records(line)[0];
            if (Fits(made.ToHashSet(), record))
            {
                made.Add(record);
            }
        }
        return made;
    }

    private sealed class NameComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
