using System.Reflection;
using ClusterDns.Protocol;
using Xunit;
using Arsoft = ARSoft.Tools.Net.Dns;

namespace ClusterDns.Testing.Oracles;

/// <summary>
/// ARSoft.Tools.Net 3.6.1 as an independent DNS codec. Parsing is public (<c>DnsMessage.Parse</c>); encoding is not:
/// <c>DnsMessageBase.Encode()</c> is internal, so it is bound once by reflection (the version is pinned in
/// Directory.Packages.props; a missing member fails the first test that uses it, loudly).
/// </summary>
public static class ArsoftOracle
{
    private static readonly Func<Arsoft.DnsMessageBase, Arsoft.DnsRawPackage> EncodeMessage = BindEncode();

    /// <summary>ARSoft's parse of <paramref name="wire"/>, or the exception text when it throws.</summary>
    public static Arsoft.DnsMessage? TryParse(byte[] wire, out string? failure)
    {
        try
        {
            failure = null;
            return Arsoft.DnsMessage.Parse(new ArraySegment<byte>(wire));
        }
        catch (Exception exception)
        {
            failure = $"{exception.GetType().Name}: {exception.Message}";
            return null;
        }
    }

    /// <summary>The message as ARSoft writes it (its own compression and field order).</summary>
    public static byte[] Encode(Arsoft.DnsMessageBase message) => EncodeMessage(message).ToArraySegment(false).ToArray();

    /// <summary>
    /// Checks ARSoft's view of a response against ours: header, question, every record (through ARSoft's own
    /// encoding, read back with our parser: name, type, class, TTL and the uncompressed RDATA must be equal).
    /// </summary>
    public static void AssertAgrees(byte[] wire, DnsMessage ours)
    {
        var theirs = TryParse(wire, out var failure);
        if (theirs is null)
        {
            Assert.Fail($"ARSoft cannot parse the response: {failure}\n{Convert.ToHexString(wire)}\n{ours}");
        }
        string context = $"ARSoft's view differs from ours\n{Convert.ToHexString(wire)}\n{ours}";
        Check(theirs.TransactionID == ours.Header.Id, "ID", context);
        Check(theirs.IsQuery == !ours.Header.IsResponse, "QR", context);
        Check((int)theirs.OperationCode == (int)ours.Header.Opcode, "OPCODE", context);
        RecordComparison.AssertSameFlags((theirs.IsAuthoritiveAnswer, theirs.IsTruncated, theirs.IsRecursionDesired, theirs.IsRecursionAllowed,
            theirs.IsAuthenticData, theirs.IsCheckingDisabled), ours.Header, context);
        Check((int)theirs.ReturnCode == (int)ours.Rcode, $"RCODE {theirs.ReturnCode}", context);
        Check(theirs.IsEDnsEnabled == ours.Edns is not null, "EDNS", context);
        if (ours.Edns is { } edns)
        {
            Check(theirs.EDnsOptions!.UdpPayloadSize == edns.UdpPayloadSize && theirs.EDnsOptions.Version == edns.Version
                && theirs.EDnsOptions.IsDnsSecOk == edns.DnssecOk && theirs.EDnsOptions.Options.Count == edns.Options.Count, "OPT", context);
        }
        Check(theirs.Questions.Count == ours.Questions.Count, "question count", context);
        for (int i = 0; i < ours.Questions.Count; i++)
        {
            Check((ushort)theirs.Questions[i].RecordType == (ushort)ours.Questions[i].Type
                && (ushort)theirs.Questions[i].RecordClass == (ushort)ours.Questions[i].Class, $"question {i}", context);
        }
        // ARSoft keeps the OPT record among the additional records; ours holds it apart.
        int theirAdditional = theirs.AdditionalRecords.Count - (theirs.IsEDnsEnabled ? 1 : 0);
        Check(theirs.AnswerRecords.Count == ours.Answers.Count && theirs.AuthorityRecords.Count == ours.Authority.Count
            && theirAdditional == ours.Additional.Count, "section counts", context);

        // ARSoft's records, written by ARSoft and read back by us, must be ours.
        var reencoded = Encode(theirs);
        var error = DnsMessage.TryParse(reencoded, out var roundTrip);
        Check(error == DnsError.None, $"ARSoft's re-encoding does not parse with ours ({error}): {Convert.ToHexString(reencoded)}", context);
        RecordComparison.AssertSameRecords(ours.Questions, roundTrip.Questions, "ARSoft question", context);
        RecordComparison.AssertSameRecords(ours.Answers, roundTrip.Answers, "ARSoft answer", context);
        RecordComparison.AssertSameRecords(ours.Authority, roundTrip.Authority, "ARSoft authority", context);
        RecordComparison.AssertSameRecords(ours.Additional, roundTrip.Additional, "ARSoft additional", context);
    }

    private static void Check(bool condition, string what, string context)
    {
        if (!condition)
        {
            Assert.Fail($"{what}: {context}");
        }
    }

    private static Func<Arsoft.DnsMessageBase, Arsoft.DnsRawPackage> BindEncode()
    {
        var method = typeof(Arsoft.DnsMessageBase).GetMethod("Encode", BindingFlags.Instance | BindingFlags.NonPublic, Type.EmptyTypes)
            ?? throw new MissingMethodException("ARSoft.Tools.Net.Dns.DnsMessageBase.Encode() is gone: the pinned ARSoft.Tools.Net changed.");
        return method.CreateDelegate<Func<Arsoft.DnsMessageBase, Arsoft.DnsRawPackage>>();
    }
}
