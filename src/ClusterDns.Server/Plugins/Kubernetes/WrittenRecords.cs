using System.Buffers.Binary;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>Record boundaries in a message this server wrote (well formed): for a zone transfer's reuse of answers.</summary>
internal static class WrittenRecords
{
    /// <summary>
    /// Removes the additional records (SRV targets' addresses) written after the answers since <paramref name="before"/>:
    /// a transfer carries each record once, in the answer section. The answers are walked to find where they end.
    /// </summary>
    public static void DropAdditional(ref MessageWriter writer, WriterMark before)
    {
        if (writer.AdditionalCount == before.AdditionalCount)
        {
            return;
        }
        var message = writer.Written;
        int position = before.Position;
        for (int i = before.AnswerCount; i < writer.AnswerCount; i++)
        {
            position = SkipRecord(message, position);
        }
        writer.Rollback(new WriterMark(position, writer.AnswerCount, writer.AuthorityCount, before.AdditionalCount, before.NameCount));
    }

    /// <summary>The end of the record at <paramref name="position"/> in a message we wrote (well formed).</summary>
    public static int SkipRecord(ReadOnlySpan<byte> message, int position)
    {
        while (true)
        {
            byte length = message[position];
            if (length == 0)
            {
                position++;
                break;
            }
            if ((length & 0xC0) == 0xC0)
            {
                position += 2;
                break;
            }
            position += length + 1;
        }
        return position + 10 + BinaryPrimitives.ReadUInt16BigEndian(message[(position + 8)..]);
    }
}
