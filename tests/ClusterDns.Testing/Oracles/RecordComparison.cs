using ClusterDns.Protocol;
using Xunit;

namespace ClusterDns.Testing.Oracles;

/// <summary>Equality of two parses: header flags; record by record, owner (ignoring case), type, class, TTL, uncompressed RDATA bytes.</summary>
public static class RecordComparison
{
    /// <summary>A library's AA, TC, RD, RA, AD and CD against our header's.</summary>
    public static void AssertSameFlags((bool Aa, bool Tc, bool Rd, bool Ra, bool Ad, bool Cd) theirs, DnsHeader ours, string context)
    {
        var mine = (ours.AuthoritativeAnswer, ours.Truncated, ours.RecursionDesired, ours.RecursionAvailable, ours.AuthenticData, ours.CheckingDisabled);
        if (theirs != mine)
        {
            Assert.Fail($"flags (AA, TC, RD, RA, AD, CD) {theirs}, ours {mine}: {context}");
        }
    }

    /// <summary>Questions as ARSoft can keep them (see <see cref="AsArsoftKeepsIt(DnsName)"/>).</summary>
    public static void AssertSameRecords(IReadOnlyList<DnsQuestion> expected, IReadOnlyList<DnsQuestion> actual, string what, string context)
    {
        if (expected.Count != actual.Count)
        {
            Assert.Fail($"{what}: {actual.Count} entries, ours {expected.Count}: {context}");
        }
        for (int i = 0; i < expected.Count; i++)
        {
            if (!AsArsoftKeepsIt(expected[i].Name).Equals(actual[i].Name) || expected[i].Type != actual[i].Type || expected[i].Class != actual[i].Class)
            {
                Assert.Fail($"{what} {i}: '{actual[i]}', ours '{expected[i]}': {context}");
            }
        }
    }

    /// <summary>Records as ARSoft can keep them: names ignoring case, bytes above 0x7F as '?'; other RDATA bytes exactly.</summary>
    public static void AssertSameRecords(IReadOnlyList<DnsRecord> expected, IReadOnlyList<DnsRecord> actual, string what, string context)
    {
        if (expected.Count != actual.Count)
        {
            Assert.Fail($"{what}: {actual.Count} records, ours {expected.Count}: {context}");
        }
        for (int i = 0; i < expected.Count; i++)
        {
            var (ours, theirs) = (expected[i], actual[i]);
            if (!AsArsoftKeepsIt(ours.Name).Equals(theirs.Name) || ours.Type != theirs.Type || ours.Class != theirs.Class || ours.Ttl != theirs.Ttl
                || !AsArsoftKeepsIt(ours.Data).ToWire().AsSpan().SequenceEqual(AsArsoftKeepsIt(theirs.Data).ToWire()))
            {
                Assert.Fail($"{what} {i}: '{theirs}' ({Convert.ToHexString(theirs.Data.ToWire())}), ours '{ours}' ({Convert.ToHexString(ours.Data.ToWire())}): {context}");
            }
        }
    }

    /// <summary>
    /// Quirk: ARSoft holds a label as .NET text decoded as ASCII, so a byte above 0x7F comes back as '?'; names are
    /// otherwise compared ignoring case (DnsName equality).
    /// </summary>
    public static DnsName AsArsoftKeepsIt(DnsName name)
    {
        var wire = name.Wire.ToArray();
        for (int at = 0; wire[at] != 0; at += wire[at] + 1)
        {
            for (int i = at + 1; i <= at + wire[at]; i++)
            {
                if (wire[i] > 0x7F)
                {
                    wire[i] = (byte)'?';
                }
            }
        }
        return DnsName.FromWire(wire);
    }

    /// <summary>
    /// Quirk: ARSoft compresses RDATA names case-insensitively, so a target may come back in the case of an earlier
    /// name in the message (a 0x20-mixed question): RDATA names are lower-cased on both sides.
    /// </summary>
    private static RecordData AsArsoftKeepsIt(RecordData data) => data switch
    {
        NsData ns => new NsData(Fold(ns.NameServer)),
        CNameData cname => new CNameData(Fold(cname.Target)),
        PtrData ptr => new PtrData(Fold(ptr.Target)),
        MxData mx => new MxData(mx.Preference, Fold(mx.Exchange)),
        SrvData srv => new SrvData(srv.Priority, srv.Weight, srv.Port, Fold(srv.Target)),
        SoaData soa => new SoaData(Fold(soa.PrimaryNameServer), Fold(soa.ResponsibleMailbox), soa.Serial, soa.Refresh, soa.Retry, soa.Expire, soa.Minimum),
        _ => data,
    };

    private static DnsName Fold(DnsName name) => AsArsoftKeepsIt(name).ToLower();
}
