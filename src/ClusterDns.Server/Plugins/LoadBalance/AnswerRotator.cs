using System.Buffers.Binary;

namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary>
/// Rotates the records of each A, AAAA and MX RRset of a response's answer section in place, without allocating.
/// Owner names stay where they are (other names may point at them); the TTL, RDLENGTH and RDATA of the records
/// of a run move together. A/AAAA RDATA hold no names, so moving them is always safe. MX RDATA hold names that
/// additional records or later names may point into, so an MX set is rotated only when its RDATA are all the
/// same length, none of them points into the set, and nothing but an OPT record follows it. CNAMEs and every
/// other record keep their place, so a CNAME stays before the records of its target.
/// </summary>
internal static class AnswerRotator
{
    private const ushort TypeA = 1;
    private const ushort TypeMx = 15;
    private const ushort TypeAaaa = 28;
    private const ushort TypeOpt = 41;

    /// <summary>Rotates each eligible RRset left by <paramref name="turn"/> modulo its size. Returns the number of sets rotated.</summary>
    public static int Rotate(Span<byte> message, uint turn)
    {
        int answers = AnswerSection.AnswerCount(message);
        if (answers < 2)
        {
            return 0;
        }
        Span<int> owners = stackalloc int[answers];
        Span<int> fixeds = stackalloc int[answers];
        int position = AnswerSection.Read(message, owners, fixeds);
        if (position < 0)
        {
            return 0;
        }
        int authority = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        int additional = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        bool onlyOptFollows = authority == 0 && additional <= 1 && (additional == 0 || IsOpt(message, position));

        int rotated = 0;
        int start = 0;
        while (start < answers)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(message[fixeds[start]..]);
            int end = AnswerSection.RunEnd(message, owners, fixeds, start);
            int count = end - start;
            if (count > 1 && (type is TypeA or TypeAaaa || (type == TypeMx && onlyOptFollows && end == answers)))
            {
                if (RotateRun(message, fixeds.Slice(start, count), type, (int)(turn % (uint)count)))
                {
                    rotated++;
                }
            }
            start = end;
        }
        return rotated;
    }

    private static bool RotateRun(Span<byte> message, ReadOnlySpan<int> fixeds, ushort type, int by)
    {
        int rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(fixeds[0] + 8)..]);
        for (int i = 1; i < fixeds.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(message[(fixeds[i] + 8)..]) != rdLength)
            {
                return false;
            }
        }
        if (type == TypeMx && !MxSelfContained(message, fixeds, rdLength))
        {
            return false;
        }
        if (by == 0)
        {
            return true;
        }
        // Slot = TTL(4) + RDLENGTH(2) + RDATA, at TYPE + 4. Left rotation by three reversals of slots.
        int slot = 6 + rdLength;
        Reverse(message, fixeds[..by], slot);
        Reverse(message, fixeds[by..], slot);
        Reverse(message, fixeds, slot);
        return true;
    }

    private static void Reverse(Span<byte> message, ReadOnlySpan<int> fixeds, int slot)
    {
        Span<byte> temp = stackalloc byte[slot];
        for (int i = 0, j = fixeds.Length - 1; i < j; i++, j--)
        {
            var a = message.Slice(fixeds[i] + 4, slot);
            var b = message.Slice(fixeds[j] + 4, slot);
            a.CopyTo(temp);
            b.CopyTo(a);
            temp.CopyTo(b);
        }
    }

    /// <summary>True when no MX exchange name of the set points into the RDATA of the set (pointers into earlier data stay valid).</summary>
    private static bool MxSelfContained(ReadOnlySpan<byte> message, ReadOnlySpan<int> fixeds, int rdLength)
    {
        int regionStart = fixeds[0] + 10;
        int regionEnd = fixeds[^1] + 10 + rdLength;
        foreach (var fixedStart in fixeds)
        {
            int position = fixedStart + 12;
            int end = fixedStart + 10 + rdLength;
            while (position < end)
            {
                byte length = message[position];
                if (length == 0)
                {
                    break;
                }
                if ((length & 0xC0) == 0xC0)
                {
                    if (position + 1 >= message.Length)
                    {
                        return false;
                    }
                    int target = ((length & 0x3F) << 8) | message[position + 1];
                    if (target >= regionStart && target < regionEnd)
                    {
                        return false;
                    }
                    break;
                }
                position += 1 + length;
            }
        }
        return true;
    }

    private static bool IsOpt(ReadOnlySpan<byte> message, int position) =>
        position + 3 <= message.Length && message[position] == 0 && BinaryPrimitives.ReadUInt16BigEndian(message[(position + 1)..]) == TypeOpt;

    /// <summary>The offset after the name at <paramref name="position"/>, or -1 when it is malformed.</summary>
    internal static int SkipName(ReadOnlySpan<byte> message, int position)
    {
        while (position < message.Length)
        {
            byte length = message[position];
            if (length == 0)
            {
                return position + 1;
            }
            if ((length & 0xC0) == 0xC0)
            {
                return position + 2 <= message.Length ? position + 2 : -1;
            }
            if ((length & 0xC0) != 0)
            {
                return -1;
            }
            position += 1 + length;
        }
        return -1;
    }

    /// <summary>Compares two names of the message label by label, ASCII case-insensitively, following pointers (bounded).</summary>
    internal static bool NamesEqual(ReadOnlySpan<byte> message, int a, int b)
    {
        for (int steps = 0; steps < 256; steps++)
        {
            a = Resolve(message, a);
            b = Resolve(message, b);
            if (a < 0 || b < 0)
            {
                return false;
            }
            if (a == b)
            {
                return true;
            }
            int length = message[a];
            if (length != message[b] || a + 1 + length > message.Length || b + 1 + length > message.Length)
            {
                return false;
            }
            if (length == 0)
            {
                return true;
            }
            for (int i = 1; i <= length; i++)
            {
                if (Protocol.WireName.ToLower(message[a + i]) != Protocol.WireName.ToLower(message[b + i]))
                {
                    return false;
                }
            }
            a += 1 + length;
            b += 1 + length;
        }
        return false;
    }

    /// <summary>Follows pointers (only backwards, at most 64 hops) to the next real label.</summary>
    private static int Resolve(ReadOnlySpan<byte> message, int position)
    {
        for (int hops = 0; hops < 64; hops++)
        {
            if (position < 0 || position >= message.Length)
            {
                return -1;
            }
            byte length = message[position];
            if ((length & 0xC0) == 0)
            {
                return position;
            }
            if ((length & 0xC0) != 0xC0 || position + 1 >= message.Length)
            {
                return -1;
            }
            int target = ((length & 0x3F) << 8) | message[position + 1];
            if (target >= position)
            {
                return -1;
            }
            position = target;
        }
        return -1;
    }
}
