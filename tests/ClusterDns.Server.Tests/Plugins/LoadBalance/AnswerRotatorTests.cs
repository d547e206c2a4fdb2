using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.LoadBalance;

namespace ClusterDns.Server.Tests.Plugins.LoadBalance;

public sealed class AnswerRotatorTests
{
    private static readonly DnsName Www = DnsName.Parse("www.example.org");

    [Theory]
    [InlineData(1u, new[] { "192.0.2.2", "192.0.2.3", "192.0.2.1" })]
    [InlineData(2u, new[] { "192.0.2.3", "192.0.2.1", "192.0.2.2" })]
    [InlineData(3u, new[] { "192.0.2.1", "192.0.2.2", "192.0.2.3" })]
    [InlineData(4u, new[] { "192.0.2.2", "192.0.2.3", "192.0.2.1" })]
    public void A_records_rotate_by_turn_and_the_cname_stays_first(uint turn, string[] expected)
    {
        var message = Response("alias.example.org", RecordType.A,
            new DnsRecord(DnsName.Parse("alias.example.org"), 300, new CNameData(Www)),
            A("192.0.2.1"), A("192.0.2.2"), A("192.0.2.3"));
        var wire = message.ToArray();

        AnswerRotator.Rotate(wire, turn);

        var rotated = Parse(wire);
        Assert.Equal(RecordType.CNAME, rotated.Answers[0].Type);
        Assert.Equal(expected, rotated.Answers.Skip(1).Select(r => r.Data.ToString()).ToArray());
        Assert.All(rotated.Answers.Skip(1), r => Assert.Equal(Www, r.Name));
    }

    [Fact]
    public void Aaaa_records_rotate_and_ttls_move_with_their_records()
    {
        var wire = Response("www.example.org", RecordType.AAAA,
            new DnsRecord(Www, 10, new AaaaData(IPAddress.Parse("2001:db8::1"))),
            new DnsRecord(Www, 20, new AaaaData(IPAddress.Parse("2001:db8::2")))).ToArray();

        AnswerRotator.Rotate(wire, 1);

        var rotated = Parse(wire);
        Assert.Equal(["2001:db8::2", "2001:db8::1"], rotated.Answers.Select(r => r.Data.ToString()));
        Assert.Equal([20u, 10u], rotated.Answers.Select(r => r.Ttl));
    }

    [Fact]
    public void Each_rrset_rotates_within_itself_when_owners_differ()
    {
        var other = DnsName.Parse("db.example.org");
        var wire = Response("www.example.org", RecordType.A,
            A("192.0.2.1"), A("192.0.2.2"),
            new DnsRecord(other, 300, new AData(IPAddress.Parse("198.51.100.1"))),
            new DnsRecord(other, 300, new AData(IPAddress.Parse("198.51.100.2")))).ToArray();

        Assert.Equal(2, AnswerRotator.Rotate(wire, 1));

        var rotated = Parse(wire);
        Assert.Equal(["192.0.2.2", "192.0.2.1", "198.51.100.2", "198.51.100.1"], rotated.Answers.Select(r => r.Data.ToString()));
        Assert.Equal([Www, Www, other, other], rotated.Answers.Select(r => r.Name));
    }

    [Fact]
    public void Owners_compressed_against_the_first_record_of_the_set_survive()
    {
        // The question names another host, so the encoder writes the first owner in full and points the others at it.
        var wire = Response("other.example.org", RecordType.A, A("192.0.2.1"), A("192.0.2.2"), A("192.0.2.3")).ToArray();

        AnswerRotator.Rotate(wire, 2);

        var rotated = Parse(wire);
        Assert.All(rotated.Answers, r => Assert.Equal(Www, r.Name));
        Assert.Equal(["192.0.2.3", "192.0.2.1", "192.0.2.2"], rotated.Answers.Select(r => r.Data.ToString()));
    }

    [Fact]
    public void Mx_records_rotate_when_nothing_points_into_them()
    {
        var apex = DnsName.Parse("example.org");
        var wire = Response("example.org", RecordType.MX,
            new DnsRecord(apex, 300, new MxData(10, DnsName.Parse("mx1.example.org"))),
            new DnsRecord(apex, 300, new MxData(20, DnsName.Parse("mx2.example.org")))).ToArray();

        Assert.Equal(1, AnswerRotator.Rotate(wire, 1));

        Assert.Equal(["20 mx2.example.org.", "10 mx1.example.org."], Parse(wire).Answers.Select(r => r.Data.ToString()));
    }

    [Fact]
    public void Mx_records_stay_when_additional_records_may_point_into_them()
    {
        var apex = DnsName.Parse("example.org");
        var message = Response("example.org", RecordType.MX,
            new DnsRecord(apex, 300, new MxData(10, DnsName.Parse("mx1.example.org"))),
            new DnsRecord(apex, 300, new MxData(20, DnsName.Parse("mx2.example.org"))));
        message.Additional.Add(new DnsRecord(DnsName.Parse("mx1.example.org"), 300, new AData(IPAddress.Parse("192.0.2.25"))));
        var wire = message.ToArray();
        var original = wire.ToArray();

        Assert.Equal(0, AnswerRotator.Rotate(wire, 1));
        Assert.Equal(original, wire);
    }

    [Fact]
    public void A_single_record_and_other_types_are_left_alone()
    {
        var single = Response("www.example.org", RecordType.A, A("192.0.2.1")).ToArray();
        var txt = Response("www.example.org", RecordType.TXT,
            new DnsRecord(Www, 300, new TxtData(["a"])), new DnsRecord(Www, 300, new TxtData(["b"]))).ToArray();
        var singleBefore = single.ToArray();
        var txtBefore = txt.ToArray();

        Assert.Equal(0, AnswerRotator.Rotate(single, 1));
        Assert.Equal(0, AnswerRotator.Rotate(txt, 1));
        Assert.Equal(singleBefore, single);
        Assert.Equal(txtBefore, txt);
    }

    [Fact]
    public void Every_truncated_prefix_is_handled_without_an_exception()
    {
        var wire = Response("alias.example.org", RecordType.A,
            new DnsRecord(DnsName.Parse("alias.example.org"), 300, new CNameData(Www)),
            A("192.0.2.1"), A("192.0.2.2")).ToArray();

        // The answers end where the 11-byte OPT record starts; a prefix cut before that rotates nothing.
        int answersEnd = wire.Length - 11;
        for (int length = 0; length < wire.Length; length++)
        {
            var prefix = wire.AsSpan(0, length).ToArray();
            int rotated = AnswerRotator.Rotate(prefix, 1);
            Assert.Equal(length < answersEnd ? 0 : 1, rotated);
        }
    }

    [Fact]
    public void A_pointer_loop_in_an_owner_is_not_followed_forever()
    {
        var wire = Response("www.example.org", RecordType.A, A("192.0.2.1"), A("192.0.2.2")).ToArray();
        // Point the second owner at itself.
        int second = wire.Length - 16;
        wire[second] = (byte)(0xC0 | (second >> 8));
        wire[second + 1] = (byte)second;

        AnswerRotator.Rotate(wire, 1);
    }

    [Fact]
    public void Rotating_allocates_nothing()
    {
        var wire = Response("alias.example.org", RecordType.A,
            new DnsRecord(DnsName.Parse("alias.example.org"), 300, new CNameData(Www)),
            A("192.0.2.1"), A("192.0.2.2"), A("192.0.2.3")).ToArray();
        AnswerRotator.Rotate(wire, 1);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (uint turn = 0; turn < 100; turn++)
        {
            AnswerRotator.Rotate(wire, turn);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static DnsRecord A(string address) => new(Www, 300, new AData(IPAddress.Parse(address)));

    internal static DnsMessage Response(string question, RecordType type, params DnsRecord[] answers)
    {
        var message = DnsMessage.CreateQuery(1, DnsName.Parse(question), type, new EdnsRecord());
        message.Header.IsResponse = true;
        message.Answers.AddRange(answers);
        return message;
    }

    internal static DnsMessage Parse(byte[] wire)
    {
        Assert.Equal(DnsError.None, DnsMessage.TryParse(wire, out var message));
        return message;
    }
}
