using ClusterDns.Protocol;
using Xunit;

namespace ClusterDns.Testing.Oracles;

/// <summary>Record-by-record equality of two parses: owner (ignoring case), type, class, TTL, uncompressed RDATA bytes.</summary>
public static class RecordComparison
{
    public static void AssertSameRecords(IReadOnlyList<DnsQuestion> expected, IReadOnlyList<DnsQuestion> actual, string what, string context)
    {
        if (expected.Count != actual.Count)
        {
            Assert.Fail($"{what}: {actual.Count} entries, ours {expected.Count}: {context}");
        }
        for (int i = 0; i < expected.Count; i++)
        {
            if (!expected[i].Name.Equals(actual[i].Name) || expected[i].Type != actual[i].Type || expected[i].Class != actual[i].Class)
            {
                Assert.Fail($"{what} {i}: '{actual[i]}', ours '{expected[i]}': {context}");
            }
        }
    }

    public static void AssertSameRecords(IReadOnlyList<DnsRecord> expected, IReadOnlyList<DnsRecord> actual, string what, string context)
    {
        if (expected.Count != actual.Count)
        {
            Assert.Fail($"{what}: {actual.Count} records, ours {expected.Count}: {context}");
        }
        for (int i = 0; i < expected.Count; i++)
        {
            var (ours, theirs) = (expected[i], actual[i]);
            if (!ours.Name.Equals(theirs.Name) || ours.Type != theirs.Type || ours.Class != theirs.Class || ours.Ttl != theirs.Ttl
                || !ours.Data.ToWire().AsSpan().SequenceEqual(theirs.Data.ToWire()))
            {
                Assert.Fail($"{what} {i}: '{theirs}' ({Convert.ToHexString(theirs.Data.ToWire())}), ours '{ours}' ({Convert.ToHexString(ours.Data.ToWire())}): {context}");
            }
        }
    }
}
