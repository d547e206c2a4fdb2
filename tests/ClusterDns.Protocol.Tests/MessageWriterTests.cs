using ClusterDns.Testing.Wire;

namespace ClusterDns.Protocol.Tests;

public class MessageWriterTests
{
    private static readonly byte[] Www = DnsName.Parse("www.example.test").Wire.ToArray();
    private static readonly byte[] Mail = DnsName.Parse("mail.EXAMPLE.test").Wire.ToArray();
    private static readonly byte[] Other = DnsName.Parse("other.net").Wire.ToArray();

    [Fact]
    public void Owner_equal_to_the_question_becomes_a_pointer_to_offset_12()
    {
        var buffer = new byte[512];
        var writer = new MessageWriter(buffer, 512);
        Assert.True(writer.TryWriteQuestion(Www, RecordType.A, RecordClass.IN));
        int recordStart = writer.Position;

        Assert.True(writer.TryWriteRecord(Www, RecordType.A, 1, 60, [192, 0, 2, 1], MessageSection.Answer));

        Assert.Equal("c00c", Convert.ToHexStringLower(buffer.AsSpan(recordStart, 2)));
        Assert.Equal(recordStart + 2 + 10 + 4, writer.Position);
        Assert.Equal(1, writer.AnswerCount);
    }

    [Fact]
    public void Name_sharing_a_suffix_points_to_it_ignoring_case()
    {
        var buffer = new byte[512];
        var writer = new MessageWriter(buffer, 512);
        writer.TryWriteQuestion(Www, RecordType.A, RecordClass.IN);
        int start = writer.Position;

        Assert.True(writer.TryWriteName(Mail));

        // "mail" then a pointer to "example.test" at 12 + 4.
        Assert.Equal("046d61696c" + "c010", Convert.ToHexStringLower(buffer.AsSpan(start, writer.Position - start)));
    }

    [Fact]
    public void Name_without_a_shared_suffix_is_written_whole()
    {
        var buffer = new byte[512];
        var writer = new MessageWriter(buffer, 512);
        writer.TryWriteQuestion(Www, RecordType.A, RecordClass.IN);
        int start = writer.Position;

        Assert.True(writer.TryWriteName(Other));

        Assert.Equal(Convert.ToHexStringLower(Other), Convert.ToHexStringLower(buffer.AsSpan(start, writer.Position - start)));
    }

    [Fact]
    public void Uncompressed_name_is_still_a_compression_target()
    {
        var buffer = new byte[512];
        var writer = new MessageWriter(buffer, 512);
        Assert.True(writer.TryWriteName(Other, compress: false));
        int start = writer.Position;

        Assert.True(writer.TryWriteName(Other));

        Assert.Equal("c00c", Convert.ToHexStringLower(buffer.AsSpan(start, 2)));
    }

    [Fact]
    public void Rollback_forgets_names_written_after_the_mark()
    {
        var buffer = new byte[512];
        var writer = new MessageWriter(buffer, 512);
        var mark = writer.Mark();
        writer.TryWriteRecord(Other, RecordType.A, 1, 60, [1, 2, 3, 4], MessageSection.Answer);

        writer.Rollback(mark);
        Assert.Equal(0, writer.AnswerCount);
        Assert.Equal(DnsHeader.Size, writer.Position);
        int start = writer.Position;
        Assert.True(writer.TryWriteName(Other));

        // Written whole again, not as a pointer into the rolled-back bytes.
        Assert.Equal(Other.Length, writer.Position - start);
    }

    [Fact]
    public void Record_that_passes_the_limit_writes_nothing()
    {
        var buffer = new byte[512];
        var writer = new MessageWriter(buffer, DnsHeader.Size + 20);
        writer.TryWriteQuestion(Www, RecordType.A, RecordClass.IN);
        var before = writer.Mark();

        Assert.False(writer.TryWriteRecord(Other, RecordType.A, 1, 60, [1, 2, 3, 4], MessageSection.Answer));

        Assert.Equal(before, writer.Mark());
    }

    [Fact]
    public void Opt_record_has_the_rfc6891_layout()
    {
        var buffer = new byte[512];
        var writer = new MessageWriter(buffer, 512);
        int start = writer.Position;

        Assert.True(writer.TryWriteOpt(1232, extendedRcode: 1, version: 0, dnssecOk: true, [0, 10, 0, 0]));

        Assert.Equal("00" + "0029" + "04d0" + "01008000" + "0004" + "000a0000", Convert.ToHexStringLower(buffer.AsSpan(start, writer.Position - start)));
        Assert.Equal(1, writer.AdditionalCount);
    }

    [Fact]
    public void Answering_in_place_points_to_the_query_question()
    {
        var query = WireHex.Load("a-noedns.query");
        var buffer = new byte[512];
        query.CopyTo(buffer, 0);
        var writer = new MessageWriter(buffer, 512);
        writer.ContinueAfterQuestion(query.Length);

        Assert.True(writer.TryWriteRecord(Mail, RecordType.A, 1, 60, [192, 0, 2, 25], MessageSection.Answer));
        var header = new DnsHeader { Id = 1, IsResponse = true, QuestionCount = 1 };
        writer.WriteHeader(header);

        Assert.Equal(DnsError.None, DnsMessage.TryParse(writer.Written, out var answer));
        // Compression matches names case-insensitively, so the suffix takes the question's case.
        Assert.Equal("mail.example.test. 60 IN A 192.0.2.25", Assert.Single(answer.Answers).ToString());
        Assert.Equal("046d61696cc010", Convert.ToHexStringLower(buffer.AsSpan(query.Length, 7)));
    }
}
