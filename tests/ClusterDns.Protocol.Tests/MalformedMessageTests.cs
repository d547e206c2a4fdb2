using static ClusterDns.Protocol.Tests.Packets;

namespace ClusterDns.Protocol.Tests;

public class MalformedMessageTests
{
    public static TheoryData<string, string, DnsError> Cases => new()
    {
        { "well-formed baseline", Header(1, 1, 0, 1) + Question + AnswerA + Opt, DnsError.None },
        { "shorter than a header", "12340100000100000000", DnsError.Truncated },
        { "pointer to itself", Header(1) + "c00c" + "00010001", DnsError.BadPointer },
        { "label then pointer back to its own name", Header(1) + "0161c00c" + "00010001", DnsError.BadPointer },
        { "two names pointing at each other", Header(2) + "c00e" + "00010001" + "c00c" + "00010001", DnsError.BadPointer },
        { "forward pointer", Header(1, 1) + Question + "c040" + "00010001000000000000", DnsError.BadPointer },
        { "pointer into the header", Header(1) + "c004" + "00010001", DnsError.BadPointer },
        { "pointer beyond the end", Header(1) + "c3ff" + "00010001", DnsError.BadPointer },
        { "question count larger than the packet", Header(2) + Question, DnsError.BadCount },
        { "answer count larger than the packet", Header(1, 3) + Question + AnswerA, DnsError.BadCount },
        { "additional count 65535", Header(1, 0, 0, 0xFFFF) + Question, DnsError.BadCount },
        { "truncated RDATA", Header(1, 1) + Question + "c00c0001000100000e100004c000", DnsError.Truncated },
        { "truncated record header", Header(1, 1) + Question + "c00c00010001", DnsError.Truncated },
        { "A with 3 bytes of RDATA", Header(1, 1) + Question + "c00c0001000100000e100003c00002", DnsError.BadRdata },
        { "label of 64 bytes", Header(1) + Label(64) + "00" + "00010001", DnsError.BadLabel },
        { "reserved label type 0x80", Header(1) + "8161" + "00" + "00010001", DnsError.BadLabel },
        { "name of 256 bytes", Header(1) + Label(63) + Label(63) + Label(63) + Label(62) + "00" + "00010001", DnsError.NameTooLong },
        { "name of 256 bytes through a pointer",
            Header(1, 1) + Label(63) + Label(63) + Label(63) + "00" + "00010001" + Label(62) + "c00c" + "0001000100000e100004c0000201", DnsError.NameTooLong },
        { "two OPT records", Header(1, 0, 0, 2) + Question + Opt + Opt, DnsError.BadOpt },
        { "OPT in the answer section", Header(1, 1) + Question + Opt, DnsError.BadOpt },
        { "OPT in the authority section", Header(1, 0, 1) + Question + Opt, DnsError.BadOpt },
        { "OPT with a non-root owner", Header(1, 0, 0, 1) + Question + "c00c" + "002904d0000000000000", DnsError.BadOpt },
        { "OPT option longer than its RDATA", Header(1, 0, 0, 1) + Question + "00002904d000000000" + "0006" + "000a0008" + "0102", DnsError.BadOpt },
        { "bytes after the last record", Header(1) + Question + "00", DnsError.BadCount },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Message_parse_returns_the_error(string description, string hex, DnsError expected)
    {
        var packet = Bytes(hex);

        var error = DnsMessage.TryParse(packet, out _);

        Assert.True(expected == error, $"{description}: expected {expected}, got {error}");
    }

    [Fact]
    public void Name_of_255_bytes_is_the_longest_accepted()
    {
        var packet = Bytes(Header(1) + Label(63) + Label(63) + Label(63) + Label(61) + "00" + "00010001");

        Assert.Equal(DnsError.None, DnsMessage.TryParse(packet, out var message));
        Assert.Equal(255, message.Questions[0].Name.WireLength);
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(1234);
        var lowerName = new byte[WireName.MaxLength];
        var valid = Bytes(Header(1, 1, 0, 1) + Question + AnswerA + Opt);
        for (int i = 0; i < 20000; i++)
        {
            // Flip bytes of a valid message: most results are near-valid, the interesting kind of garbage.
            var packet = (byte[])valid.Clone();
            for (int k = random.Next(1, 4); k > 0; k--)
            {
                packet[random.Next(packet.Length)] = (byte)random.Next(256);
            }
            _ = DnsMessage.TryParse(packet, out _);
            _ = QueryParser.Parse(packet, lowerName, out _);
        }
    }
}
