using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary>
/// The <c>weighted</c> and <c>prefer</c> orderings of CoreDNS's loadbalance, applied in place to each A/AAAA
/// RRset of a finished answer section. Only the TTL/RDLENGTH/RDATA slots move (owners stay put, so compression
/// pointers stay valid); all scratch space is on the stack.
/// </summary>
internal static class AddressOrdering
{
    /// <summary>
    /// Moves one address of each A/AAAA RRset to the front, chosen at random with the weight-file weights
    /// (unlisted addresses weigh 1): CoreDNS's weighted policy. <paramref name="random"/> returns a value in
    /// [0, limit). Returns the number of sets looked at.
    /// </summary>
    public static int ApplyWeighted(Span<byte> message, WeightTable table, Func<int, int> random)
    {
        int answers = AnswerSection.AnswerCount(message);
        if (answers < 2)
        {
            return 0;
        }
        Span<int> owners = stackalloc int[answers];
        Span<int> fixeds = stackalloc int[answers];
        if (AnswerSection.Read(message, owners, fixeds) < 0)
        {
            return 0;
        }
        Span<byte> owner = stackalloc byte[WireName.MaxLength];
        Span<int> order = stackalloc int[answers];
        Span<byte> weights = stackalloc byte[answers];
        int sets = 0;
        for (int start = 0; start < answers;)
        {
            int end = AnswerSection.RunEnd(message, owners, fixeds, start);
            var run = fixeds[start..end];
            if (run.Length > 1 && AnswerSection.IsAddressRun(message, run)
                && new MessageReader(message, owners[start]).ReadName(owner, out int ownerLength) == DnsError.None)
            {
                var lowerOwner = owner[..ownerLength];
                WireName.ToLowerInPlace(lowerOwner);
                int top = PickWeighted(message, run, table, lowerOwner, order[..run.Length], weights[..run.Length], random);
                if (top > 0)
                {
                    SwapSlots(message, run[0], run[top]);
                }
                sets++;
            }
            start = end;
        }
        return sets;
    }

    /// <summary>
    /// Puts the addresses of each A/AAAA RRset that fall in a preferred subnet first, in the order the subnets are
    /// listed, keeping the order within each group (CoreDNS's <c>prefer</c>). Returns the number of sets reordered.
    /// </summary>
    public static int ApplyPrefer(Span<byte> message, Subnet[] subnets)
    {
        int answers = AnswerSection.AnswerCount(message);
        if (answers < 2 || subnets.Length == 0)
        {
            return 0;
        }
        Span<int> owners = stackalloc int[answers];
        Span<int> fixeds = stackalloc int[answers];
        if (AnswerSection.Read(message, owners, fixeds) < 0)
        {
            return 0;
        }
        Span<int> order = stackalloc int[answers];
        Span<int> ranks = stackalloc int[answers];
        Span<byte> scratch = stackalloc byte[answers * (6 + 16)];
        int sets = 0;
        for (int start = 0; start < answers;)
        {
            int end = AnswerSection.RunEnd(message, owners, fixeds, start);
            var run = fixeds[start..end];
            if (run.Length > 1 && AnswerSection.IsAddressRun(message, run)
                && Reorder(message, run, subnets, order[..run.Length], ranks[..run.Length], scratch))
            {
                sets++;
            }
            start = end;
        }
        return sets;
    }

    /// <summary>CoreDNS's selection: weights sorted high to low (ties keep answer order), then one draw over their sum.</summary>
    internal static int PickWeighted(ReadOnlySpan<byte> message, ReadOnlySpan<int> run, WeightTable table, ReadOnlySpan<byte> lowerOwner,
        Span<int> order, Span<byte> weights, Func<int, int> random)
    {
        int sum = 0;
        for (int i = 0; i < run.Length; i++)
        {
            weights[i] = table.WeightOf(lowerOwner, Rdata(message, run[i]));
            sum += weights[i];
            // Insertion into the order, stable, by descending weight.
            int j = i;
            while (j > 0 && weights[order[j - 1]] < weights[i])
            {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        int draw = random(sum);
        int cumulative = 0;
        foreach (int index in order)
        {
            cumulative += weights[index];
            if (draw < cumulative)
            {
                return index;
            }
        }
        return 0;
    }

    private static bool Reorder(Span<byte> message, ReadOnlySpan<int> run, Subnet[] subnets, Span<int> order, Span<int> ranks, Span<byte> scratch)
    {
        bool moved = false;
        for (int i = 0; i < run.Length; i++)
        {
            ranks[i] = subnets.Length;
            var rdata = Rdata(message, run[i]);
            for (int s = 0; s < subnets.Length; s++)
            {
                if (subnets[s].Contains(rdata))
                {
                    ranks[i] = s;
                    break;
                }
            }
            int j = i;
            while (j > 0 && ranks[order[j - 1]] > ranks[i])
            {
                order[j] = order[j - 1];
                j--;
                moved = true;
            }
            order[j] = i;
        }
        if (!moved)
        {
            return false;
        }
        int slot = 6 + AnswerSection.RdLength(message, run[0]);
        for (int i = 0; i < run.Length; i++)
        {
            message.Slice(run[i] + 4, slot).CopyTo(scratch.Slice(i * slot, slot));
        }
        for (int i = 0; i < run.Length; i++)
        {
            scratch.Slice(order[i] * slot, slot).CopyTo(message.Slice(run[i] + 4, slot));
        }
        return true;
    }

    private static ReadOnlySpan<byte> Rdata(ReadOnlySpan<byte> message, int fixedStart) =>
        message.Slice(fixedStart + 10, AnswerSection.RdLength(message, fixedStart));

    private static void SwapSlots(Span<byte> message, int first, int other)
    {
        int slot = 6 + AnswerSection.RdLength(message, first);
        Span<byte> temp = stackalloc byte[6 + 16];
        var a = message.Slice(first + 4, slot);
        var b = message.Slice(other + 4, slot);
        a.CopyTo(temp);
        b.CopyTo(a);
        temp[..slot].CopyTo(b);
    }
}
