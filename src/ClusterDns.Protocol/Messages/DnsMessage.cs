using System.Globalization;
using System.Text;

namespace ClusterDns.Protocol;

/// <summary>
/// A whole DNS message as objects. Allocating: for tests, the forwarder and tools, not the authoritative
/// answer path (which uses <see cref="QueryParser"/> and <see cref="MessageWriter"/> directly).
/// Header counts are derived from the lists when writing; the OPT record lives in <see cref="Edns"/>, not in <see cref="Additional"/>.
/// </summary>
public sealed class DnsMessage
{
    /// <summary>Id and flags. Its counts are what was read; <see cref="Write"/> writes the lists' counts instead.</summary>
    public DnsHeader Header;

    public List<DnsQuestion> Questions { get; } = [];
    public List<DnsRecord> Answers { get; } = [];
    public List<DnsRecord> Authority { get; } = [];

    /// <summary>Additional records without the OPT pseudo-record.</summary>
    public List<DnsRecord> Additional { get; } = [];

    /// <summary>The OPT pseudo-record, or null when the message has no EDNS(0).</summary>
    public EdnsRecord? Edns { get; set; }

    /// <summary>The full RCODE: the header's four bits plus the OPT record's upper eight.</summary>
    public ResponseCode Rcode
    {
        get => (ResponseCode)(Header.Rcode | ((Edns?.ExtendedRcode ?? 0) << 4));
        set
        {
            int code = (int)value;
            if (code > 0xF && Edns is null)
            {
                throw new InvalidOperationException($"RCODE {RecordTypeNames.ToText(value)} needs EDNS(0): set Edns first.");
            }
            Header.Rcode = (byte)(code & 0xF);
            if (Edns is not null)
            {
                Edns = Edns with { ExtendedRcode = (byte)(code >> 4) };
            }
        }
    }

    /// <summary>A query for one question, with RD set and optionally EDNS(0).</summary>
    public static DnsMessage CreateQuery(ushort id, DnsName name, RecordType type, EdnsRecord? edns = null)
    {
        var message = new DnsMessage { Edns = edns };
        message.Header.Id = id;
        message.Header.RecursionDesired = true;
        message.Questions.Add(new DnsQuestion(name, type));
        return message;
    }

    /// <summary>
    /// Parses a whole message. Counts are never trusted for allocation; several OPT records, an OPT outside
    /// the additional section or with a non-root owner give <see cref="DnsError.BadOpt"/>; bytes after the
    /// last counted record give <see cref="DnsError.BadCount"/>, as does a count the message does not hold.
    /// </summary>
    public static DnsError TryParse(ReadOnlySpan<byte> packet, out DnsMessage message) => DnsMessageParser.TryParse(packet, out message);

    /// <summary>
    /// Writes the message into <paramref name="buffer"/>, at most <paramref name="maxSize"/> bytes, and returns
    /// the length written (0 when not even the header, the questions and the OPT record fit).
    /// Answer and authority RRsets that do not fit are dropped whole and TC is set; additional RRsets
    /// that do not fit are dropped without TC (RFC 2181 §9); the OPT record's space is reserved first.
    /// </summary>
    public int Write(Span<byte> buffer, int maxSize) => DnsMessageEncoder.Write(this, buffer, maxSize);

    /// <summary>The message in wire form; see <see cref="Write"/>.</summary>
    public byte[] ToArray(int maxSize = ushort.MaxValue)
    {
        var buffer = new byte[Math.Clamp(maxSize, DnsHeader.Size, ushort.MaxValue)];
        int length = Write(buffer, buffer.Length);
        if (length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, "The header, questions and OPT record alone do not fit.");
        }
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>dig-like text, handy in test failures.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $";; ->>HEADER<<- opcode: {Header.Opcode.ToString().ToUpperInvariant()}, status: {RecordTypeNames.ToText(Rcode)}, id: {Header.Id}\n");
        text.Append(";; flags:");
        AppendFlag(text, Header.IsResponse, "qr");
        AppendFlag(text, Header.AuthoritativeAnswer, "aa");
        AppendFlag(text, Header.Truncated, "tc");
        AppendFlag(text, Header.RecursionDesired, "rd");
        AppendFlag(text, Header.RecursionAvailable, "ra");
        AppendFlag(text, Header.AuthenticData, "ad");
        AppendFlag(text, Header.CheckingDisabled, "cd");
        text.Append(invariant, $"; QUERY: {Questions.Count}, ANSWER: {Answers.Count}, AUTHORITY: {Authority.Count}, ADDITIONAL: {Additional.Count + (Edns is null ? 0 : 1)}\n");
        if (Edns is not null)
        {
            text.Append("\n;; OPT PSEUDOSECTION:\n");
            text.Append(invariant, $"; EDNS: version: {Edns.Version}, flags:{(Edns.DnssecOk ? " do" : "")}; udp: {Edns.UdpPayloadSize}\n");
            foreach (var option in Edns.Options)
            {
                text.Append("; ").Append(option).Append('\n');
            }
        }
        if (Questions.Count > 0)
        {
            text.Append("\n;; QUESTION SECTION:\n");
            foreach (var question in Questions)
            {
                text.Append(';').Append(question).Append('\n');
            }
        }
        AppendSection(text, "ANSWER", Answers);
        AppendSection(text, "AUTHORITY", Authority);
        AppendSection(text, "ADDITIONAL", Additional);
        return text.ToString();
    }

    private static void AppendFlag(StringBuilder text, bool set, string name)
    {
        if (set)
        {
            text.Append(' ').Append(name);
        }
    }

    private static void AppendSection(StringBuilder text, string title, List<DnsRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }
        text.Append("\n;; ").Append(title).Append(" SECTION:\n");
        foreach (var record in records)
        {
            text.Append(record).Append('\n');
        }
    }
}
