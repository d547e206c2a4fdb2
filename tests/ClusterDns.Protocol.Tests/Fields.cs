using ClusterDns.Protocol.Text;

namespace ClusterDns.Protocol.Tests;

/// <summary>Splits an RDATA text into raw fields the way the zone file reader does.</summary>
internal static class Fields
{
    public static IReadOnlyList<string> Split(string rdata)
    {
        if (string.IsNullOrWhiteSpace(rdata))
        {
            return [];
        }
        // A dummy owner and type keep the tokenizer's owner rule out of the way.
        Assert.True(new ZoneFileTokenizer("x TYPE1 " + rdata).TryReadEntry(out var entry, out _, out var error), error);
        return entry.Fields.Skip(2).ToList();
    }
}
