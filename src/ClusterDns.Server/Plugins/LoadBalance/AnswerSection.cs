using System.Buffers.Binary;

namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary>
/// Where the records of a finished response's answer section start, read once from the wire so the orderings
/// (rotation, weights, preferred subnets) can move RDATA in place. Bounded: at most 256 answers.
/// </summary>
internal static class AnswerSection
{
    public const int MaxRecords = 256;
    private const int HeaderSize = 12;
    private const ushort TypeA = 1;
    private const ushort TypeAaaa = 28;

    /// <summary>The answer count, or 0 when the message is too short or has more answers than we reorder.</summary>
    public static int AnswerCount(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderSize)
        {
            return 0;
        }
        int answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        return answers > MaxRecords ? 0 : answers;
    }

    /// <summary>
    /// Fills where each answer's owner and fixed part (TYPE) start; returns the offset after the last answer, or -1
    /// when the message is malformed.
    /// </summary>
    public static int Read(ReadOnlySpan<byte> message, Span<int> owners, Span<int> fixeds)
    {
        int questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int position = HeaderSize;
        for (int i = 0; i < questions; i++)
        {
            position = AnswerRotator.SkipName(message, position);
            if (position < 0 || position + 4 > message.Length)
            {
                return -1;
            }
            position += 4;
        }
        for (int i = 0; i < owners.Length; i++)
        {
            owners[i] = position;
            position = AnswerRotator.SkipName(message, position);
            if (position < 0 || position + 10 > message.Length)
            {
                return -1;
            }
            fixeds[i] = position;
            position += 10 + BinaryPrimitives.ReadUInt16BigEndian(message[(position + 8)..]);
            if (position > message.Length)
            {
                return -1;
            }
        }
        return position;
    }

    /// <summary>The index after the RRset (same owner, type and class, consecutive) that starts at <paramref name="start"/>.</summary>
    public static int RunEnd(ReadOnlySpan<byte> message, ReadOnlySpan<int> owners, ReadOnlySpan<int> fixeds, int start)
    {
        int end = start + 1;
        while (end < fixeds.Length
            && message.Slice(fixeds[start], 4).SequenceEqual(message.Slice(fixeds[end], 4))
            && AnswerRotator.NamesEqual(message, owners[start], owners[end]))
        {
            end++;
        }
        return end;
    }

    public static ushort TypeAt(ReadOnlySpan<byte> message, int fixedStart) => BinaryPrimitives.ReadUInt16BigEndian(message[fixedStart..]);

    public static int RdLength(ReadOnlySpan<byte> message, int fixedStart) => BinaryPrimitives.ReadUInt16BigEndian(message[(fixedStart + 8)..]);

    /// <summary>True for an A or AAAA RRset whose RDATA have the family's size (4 or 16), so slots can be swapped.</summary>
    public static bool IsAddressRun(ReadOnlySpan<byte> message, ReadOnlySpan<int> fixeds)
    {
        ushort type = TypeAt(message, fixeds[0]);
        int size = type == TypeA ? 4 : type == TypeAaaa ? 16 : -1;
        foreach (var fixedStart in fixeds)
        {
            if (RdLength(message, fixedStart) != size)
            {
                return false;
            }
        }
        return true;
    }
}
