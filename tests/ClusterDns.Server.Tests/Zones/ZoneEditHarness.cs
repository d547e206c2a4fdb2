using ClusterDns.Protocol;
using ClusterDns.Protocol.Text;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Tests.Zones;

/// <summary>
/// Zones and difference sequences written as zone-file lines, and the two views the in-place apply is checked
/// against a whole build with: every node (RRsets, TTLs, children, delegation) and the answer to every name and type.
/// </summary>
internal static class ZoneEditHarness
{
    public static readonly DnsName Origin = DnsName.Parse("example.org.");

    public static DnsRecord Soa(uint serial) =>
        Records($"@ 300 IN SOA ns.example.org. hostmaster.example.org. {serial} 7200 1800 86400 30")[0];

    /// <summary>Zone-file lines (owners relative to example.org.) as records.</summary>
    public static List<DnsRecord> Records(params string[] lines)
    {
        var parsed = ZoneFileReader.Read(new StringReader(string.Join('\n', lines) + "\n"), "edit.zone", Origin);
        Assert.True(parsed.Succeeded, parsed.Error?.ToString());
        return parsed.Records.ToList();
    }

    /// <summary>A zone of the SOA at <paramref name="serial"/> and <paramref name="records"/>, built whole.</summary>
    public static AuthoritativeZone Build(uint serial, IEnumerable<DnsRecord> records)
    {
        Assert.True(AuthoritativeZone.TryCreate(Origin, records.Prepend(Soa(serial)), out var zone, out var error), error);
        return zone;
    }

    public static ZoneDifference Difference(uint from, uint to, string[] deleted, string[] added) =>
        new(Soa(from), Soa(to), deleted.Length == 0 ? [] : Records(deleted), added.Length == 0 ? [] : Records(added));

    /// <summary>Every node as lines (RDATA sorted: the order inside an RRset is not part of the zone), sorted.</summary>
    public static List<string> Describe(AuthoritativeZone zone)
    {
        var lines = new List<string> { $"serial={zone.Serial} records={zone.RecordCount} negative-ttl={zone.NegativeTtl}" };
        foreach (var node in zone.Nodes)
        {
            var name = DnsName.Format(node.Name);
            lines.Add($"{name} children={node.ChildCount} delegation={node.IsDelegation} cname={node.Cname is not null}");
            foreach (var rrset in node.RRsets)
            {
                var rdata = rrset.Rdata.Select(Convert.ToHexString).Order(StringComparer.Ordinal);
                lines.Add($"{name} {RecordTypeNames.ToText(rrset.Type)} {rrset.Ttl} {string.Join(',', rdata)}");
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static readonly RecordType[] AskedTypes =
        [RecordType.A, RecordType.AAAA, RecordType.TXT, RecordType.CNAME, RecordType.NS, RecordType.SOA, RecordType.MX, RecordType.SRV];

    /// <summary>
    /// The answer to every type at every name either zone has, and one label below each (NXDOMAIN, wildcards,
    /// referrals), as sorted presentation lines per section.
    /// </summary>
    public static List<string> Answers(AuthoritativeZone zone, IEnumerable<byte[]> names)
    {
        var lines = new List<string>();
        var buffer = new byte[ushort.MaxValue];
        foreach (var name in names.SelectMany(name => new[] { name, [1, (byte)'z', .. name] }))
        {
            foreach (var type in AskedTypes)
            {
                var writer = new MessageWriter(buffer, buffer.Length);
                Assert.True(writer.TryWriteQuestion(name, type, RecordClass.IN));
                var answer = zone.WriteAnswer(name, type, ref writer);
                writer.WriteHeader(new DnsHeader { IsResponse = true, QuestionCount = 1 });
                Assert.Equal(DnsError.None, DnsMessage.TryParse(writer.Written, out var message));
                var asked = $"{DnsName.Format(name)} {RecordTypeNames.ToText(type)}";
                lines.Add($"{asked}: {answer.Rcode} aa={answer.Authoritative}");
                lines.AddRange(Section(asked, "an", message.Answers));
                lines.AddRange(Section(asked, "ns", message.Authority));
                lines.AddRange(Section(asked, "ar", message.Additional));
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static IEnumerable<string> Section(string asked, string section, List<DnsRecord> records) =>
        records.Select(record => $"{asked}: {section} {record.ToString().ToLowerInvariant()}");
}
