using System.Net;
using ARSoft.Tools.Net;
using ClusterDns.Testing.Oracles;
using Arsoft = ARSoft.Tools.Net.Dns;

namespace ClusterDns.Protocol.Tests;

/// <summary>
/// Our wire encoding of every record type against ARSoft.Tools.Net's, both ways: our record written by us must read
/// in ARSoft as the record ARSoft builds from the same fields, and ARSoft's record written by ARSoft must read in
/// ours to the same RDATA bytes. Types we keep as opaque RDATA (RFC 3597) are written here in the generic form, the
/// bytes taken from the RFCs' examples, so ARSoft decodes what we would serve from a zone file.
/// </summary>
public sealed class ArsoftRecordCodecTests
{
    private static readonly DnsName Origin = DnsName.Parse("example.test.");
    private static readonly DomainName Owner = DomainName.Parse("host.example.test");
    private const int Ttl = 3600;

    private sealed record Case(string Type, string Rdata, Func<Arsoft.DnsRecordBase> Theirs);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["A"] = new("A", "192.0.2.1", () => new Arsoft.ARecord(Owner, Ttl, IPAddress.Parse("192.0.2.1"))),
        ["AAAA"] = new("AAAA", "2001:db8::1", () => new Arsoft.AaaaRecord(Owner, Ttl, IPAddress.Parse("2001:db8::1"))),
        ["NS"] = new("NS", "ns1.example.net.", () => new Arsoft.NsRecord(Owner, Ttl, DomainName.Parse("ns1.example.net"))),
        ["CNAME"] = new("CNAME", "www", () => new Arsoft.CNameRecord(Owner, Ttl, DomainName.Parse("www.example.test"))),
        ["PTR"] = new("PTR", "web.default.svc.cluster.local.", () => new Arsoft.PtrRecord(Owner, Ttl, DomainName.Parse("web.default.svc.cluster.local"))),
        ["SOA"] = new("SOA", "ns1 hostmaster 2024010101 7200 1800 1209600 300",
            () => new Arsoft.SoaRecord(Owner, Ttl, DomainName.Parse("ns1.example.test"), DomainName.Parse("hostmaster.example.test"), 2024010101, 7200, 1800, 1209600, 300)),
        ["MX"] = new("MX", "10 mail", () => new Arsoft.MxRecord(Owner, Ttl, 10, DomainName.Parse("mail.example.test"))),
        ["TXT"] = new("TXT", "\"v=spf1 -all\" \"a\\\"b\" \"\"", () => new Arsoft.TxtRecord(Owner, Ttl, ["v=spf1 -all", "a\"b", ""])),
        ["SRV"] = new("SRV", "0 5 80 www", () => new Arsoft.SrvRecord(Owner, Ttl, 0, 5, 80, DomainName.Parse("www.example.test"))),
        ["CAA"] = new("CAA", "0 issue \"letsencrypt.org\"", () => new Arsoft.CAARecord(Owner, Ttl, 0, "issue", "letsencrypt.org")),
        ["CAA-critical"] = new("CAA", "128 iodef \"mailto:a@b.example\"", () => new Arsoft.CAARecord(Owner, Ttl, 128, "iodef", "mailto:a@b.example")),
        // RFC 1035 §3.3.2: two character-strings.
        ["HINFO"] = new("HINFO", "\\# 10 03783836 056c696e7578", () => new Arsoft.HInfoRecord(Owner, Ttl, "x86", "linux")),
        // RFC 3403 §6.1's SIP example shape: order, preference, flags, services, empty regexp, replacement.
        ["NAPTR"] = new("NAPTR", "\\# 39 0064000a 0153 075349502b443255 00 045f736970045f756470076578616d706c650474657374 00",
            () => new Arsoft.NaptrRecord(Owner, Ttl, 100, 10, "S", "SIP+D2U", "", DomainName.Parse("_sip._udp.example.test"))),
        ["DNAME"] = new("DNAME", "\\# 13 076578616d706c65036e657400", () => new Arsoft.DNameRecord(Owner, Ttl, DomainName.Parse("example.net"))),
        // RFC 4034 §5.4: key tag 60485, algorithm 5, SHA-1 digest.
        ["DS"] = new("DS", "\\# 24 ec450501 2bb183af5f22588179a53b0a98631fad1a292118",
            () => new Arsoft.DsRecord(Owner, Arsoft.RecordClass.INet, Ttl, 60485, Arsoft.DnsSecAlgorithm.RsaSha1, Arsoft.DnsSecDigestType.Sha1,
                Convert.FromHexString("2bb183af5f22588179a53b0a98631fad1a292118"))),
        ["DNSKEY"] = new("DNSKEY", "\\# 8 01000308 01020304",
            () => new Arsoft.DnsKeyRecord(Owner, Arsoft.RecordClass.INet, Ttl, Arsoft.DnsKeyFlags.Zone, 3, Arsoft.DnsSecAlgorithm.RsaSha256, [1, 2, 3, 4], null)),
        // RFC 4034 §3.1: type covered, algorithm, labels, original TTL, expiration, inception, key tag, signer, signature.
        ["RRSIG"] = new("RRSIG", "\\# 36 0001 08 03 00000e10 70dbd880 67748580 3039 076578616d706c650474657374 00 01020304",
            () => new Arsoft.RrSigRecord(Owner, Arsoft.RecordClass.INet, Ttl, Arsoft.RecordType.A, Arsoft.DnsSecAlgorithm.RsaSha256, 3, 3600,
                new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), 12345, DomainName.Parse("example.test"), [1, 2, 3, 4])),
        // RFC 4034 §4.3's example: A MX RRSIG NSEC TYPE1234.
        ["NSEC"] = new("NSEC", "\\# 55 04686f7374076578616d706c6503636f6d00 0006400100000003 041b" + string.Concat(Enumerable.Repeat("00", 26)) + "20",
            () => new Arsoft.NSecRecord(Owner, Arsoft.RecordClass.INet, Ttl, DomainName.Parse("host.example.com"),
                [Arsoft.RecordType.A, Arsoft.RecordType.Mx, Arsoft.RecordType.RrSig, Arsoft.RecordType.NSec, (Arsoft.RecordType)1234])),
        // RFC 9460: SvcPriority, TargetName, then SvcParams in key order (port=8443; mandatory=port and port=443).
        ["SVCB"] = new("SVCB", "\\# 25 0001 03737663076578616d706c65036e657400 0003000220fb",
            () => new Arsoft.SvcBRecord(Owner, Ttl, 1, DomainName.Parse("svc.example.net"), new() { [Arsoft.ServiceBindingParameterKey.Port] = new Arsoft.PortServiceBindingParameter(8443) })),
        ["HTTPS"] = new("HTTPS", "\\# 15 0001 00 000000020003 0003000201bb",
            () => new Arsoft.HttpsRecord(Owner, Ttl, 1, DomainName.Root, new()
            {
                [Arsoft.ServiceBindingParameterKey.Mandatory] = new Arsoft.MandatoryServiceBindingParameter([Arsoft.ServiceBindingParameterKey.Port]),
                [Arsoft.ServiceBindingParameterKey.Port] = new Arsoft.PortServiceBindingParameter(443),
            })),
        // Types outside RecordType, served as RFC 3597 generic RDATA: RFC 4255 SSHFP, RFC 6698 TLSA.
        ["SSHFP"] = new("TYPE44", "\\# 22 0101 123456789abcdef67890123456789abcdef67890",
            () => new Arsoft.SshFpRecord(Owner, Ttl, (Arsoft.SshFpRecord.SshFpAlgorithm)1, (Arsoft.SshFpRecord.SshFpFingerPrintType)1, Convert.FromHexString("123456789abcdef67890123456789abcdef67890"))),
        ["TLSA"] = new("TYPE52", "\\# 7 030101 0a0b0c0d",
            () => new Arsoft.TlsaRecord(Owner, Ttl, (Arsoft.TlsaRecord.TlsaCertificateUsage)3, (Arsoft.TlsaRecord.TlsaSelector)1, (Arsoft.TlsaRecord.TlsaMatchingType)1, [10, 11, 12, 13])),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    /// <summary>Every RecordType we name that a zone or an answer can carry has a case here (queries-only types and OPT aside).</summary>
    [Fact]
    public void Every_record_type_we_name_has_a_case()
    {
        var covered = Cases.Values.Select(c => c.Type).ToHashSet();
        var missing = Enum.GetValues<RecordType>()
            .Where(t => t is not (RecordType.OPT or RecordType.IXFR or RecordType.AXFR or RecordType.ANY))
            .Select(RecordTypeNames.ToText).Where(t => !covered.Contains(t)).ToList();
        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Our_encoding_reads_in_ARSoft_as_its_own_record(string name)
    {
        var ours = OurRecord(Cases[name]);
        var expected = Cases[name].Theirs();
        var response = new DnsMessage();
        response.Header.Id = 7;
        response.Header.IsResponse = true;
        response.Questions.Add(new DnsQuestion(ours.Name, ours.Type));
        response.Answers.Add(ours);

        var parsed = ArsoftOracle.TryParse(response.ToArray(), out var failure);

        Assert.True(parsed is not null, failure);
        var theirs = Assert.Single(parsed.AnswerRecords);
        Assert.IsType(expected.GetType(), theirs);
        Assert.Equal(expected.ToString(), theirs.ToString());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ARSoft_encoding_reads_in_ours_as_the_same_rdata(string name)
    {
        var ours = OurRecord(Cases[name]);
        var message = new Arsoft.DnsMessage { TransactionID = 7, IsQuery = false };
        message.AnswerRecords.Add(Cases[name].Theirs());

        var wire = ArsoftOracle.Encode(message);

        Assert.Equal(DnsError.None, DnsMessage.TryParse(wire, out var parsed));
        var read = Assert.Single(parsed.Answers);
        Assert.Equal(ours.Name, read.Name);
        Assert.Equal(ours.Type, read.Type);
        Assert.Equal(ours.Ttl, read.Ttl);
        Assert.Equal(Convert.ToHexStringLower(ours.Data.ToWire()), Convert.ToHexStringLower(read.Data.ToWire()));
    }

    private static DnsRecord OurRecord(Case @case)
    {
        Assert.True(RecordTypeNames.TryParse(@case.Type, out RecordType type));
        Assert.True(RecordData.TryParse(type, Fields.Split(@case.Rdata), Origin, out var data, out var error), error);
        return new DnsRecord(DnsName.Parse("host.example.test."), type, RecordClass.IN, Ttl, data);
    }
}
