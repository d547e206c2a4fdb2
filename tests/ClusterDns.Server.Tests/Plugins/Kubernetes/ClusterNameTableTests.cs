using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>
/// The index shard's open addressing: lookups must survive growth, shrinking and backward-shift deletion,
/// including when many names share a hash (forced here: a few distinct hashes for hundreds of names).
/// </summary>
public sealed class ClusterNameTableTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 64)]
    [InlineData(3, int.MaxValue)]
    public void Finds_exactly_what_a_dictionary_holds_after_random_sets_and_removes(int seed, int distinctHashes)
    {
        var random = new Random(seed);
        var table = new ClusterNameTable();
        var expected = new Dictionary<string, byte[]>();
        for (int step = 0; step < 5_000; step++)
        {
            string name = "n" + random.Next(300) + ".cluster.local.";
            var wire = DnsName.Parse(name).Wire.ToArray();
            int hash = HashOf(wire, distinctHashes);
            if (random.Next(3) == 0)
            {
                Assert.Equal(expected.Remove(name), table.Remove(wire, hash));
            }
            else
            {
                var blob = Blob(wire, step);
                table.Set(blob, hash);
                expected[name] = blob;
            }
            if (step % 250 == 0)
            {
                Assert.Equal(expected.Count, table.Count);
                for (int i = 0; i < 300; i++)
                {
                    var probe = DnsName.Parse("n" + i + ".cluster.local.").Wire.ToArray();
                    var found = table.Find(probe, HashOf(probe, distinctHashes));
                    Assert.Same(expected.GetValueOrDefault("n" + i + ".cluster.local."), found);
                }
            }
        }
    }

    [Fact]
    public void Emptying_a_large_table_shrinks_it_and_keeps_the_rest_findable()
    {
        var table = new ClusterNameTable();
        var names = Enumerable.Range(0, 2_000).Select(i => DnsName.Parse("n" + i + ".cluster.local.").Wire.ToArray()).ToArray();
        foreach (var name in names)
        {
            table.Set(Blob(name, 1), ClusterNameTable.Hash(name));
        }
        int grown = table.Capacity;

        foreach (var name in names.Skip(10))
        {
            Assert.True(table.Remove(name, ClusterNameTable.Hash(name)));
        }

        Assert.True(table.Capacity < grown / 8, $"capacity {table.Capacity} after shrinking from {grown}");
        Assert.Equal(10, table.Count);
        Assert.All(names.Take(10), name => Assert.NotNull(table.Find(name, ClusterNameTable.Hash(name))));
        Assert.All(names.Skip(10), name => Assert.Null(table.Find(name, ClusterNameTable.Hash(name))));
    }

    [Fact]
    public void A_clone_is_independent_of_the_table_it_was_copied_from()
    {
        var table = new ClusterNameTable();
        var wire = DnsName.Parse("a.cluster.local.").Wire.ToArray();
        int hash = ClusterNameTable.Hash(wire);
        var published = Blob(wire, 1);
        table.Set(published, hash);

        var clone = table.Clone();
        clone.Remove(wire, hash);

        Assert.Same(published, table.Find(wire, hash));
        Assert.Null(clone.Find(wire, hash));
    }

    private static int HashOf(byte[] wire, int distinctHashes) =>
        distinctHashes == int.MaxValue ? ClusterNameTable.Hash(wire) : (ClusterNameTable.Hash(wire) & 0x7FFFFFFF) % distinctHashes;

    private static byte[] Blob(byte[] wire, int version)
    {
        var draft = new ClusterEntryDraft(wire) { Markers = version };
        return draft.Encode(_ => 30);
    }
}
