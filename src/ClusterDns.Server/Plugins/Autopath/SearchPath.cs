namespace ClusterDns.Server.Plugins.Autopath;

/// <summary>
/// The search list autopath walks, as lower-case wire names, and the test that starts a walk: the question is a
/// name strictly below the list's first element (CoreDNS's <c>firstInSearchPath</c>). Read without allocating.
/// </summary>
internal static class SearchPath
{
    private static readonly byte[] Svc = [3, (byte)'s', (byte)'v', (byte)'c'];

    /// <summary>The root name: the last element of every list, the name as the client typed it.</summary>
    public static readonly byte[] Root = [0];

    /// <summary>
    /// The length of the labels of <paramref name="name"/> before <paramref name="prefix"/> + <paramref name="suffix"/>
    /// when it ends with exactly those labels and has at least one label before them; 0 otherwise.
    /// </summary>
    public static int BaseLength(ReadOnlySpan<byte> name, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> suffix)
    {
        int tail = prefix.Length + suffix.Length;
        int start = name.Length - tail;
        if (start <= 0)
        {
            return 0;
        }
        int offset = 0;
        while (offset < start)
        {
            offset += name[offset] + 1;
        }
        return offset == start && name.Slice(start, prefix.Length).SequenceEqual(prefix) && name[(start + prefix.Length)..].SequenceEqual(suffix)
            ? start
            : 0;
    }

    /// <summary>The first element of a pod's list without its zone: the namespace label and <c>svc</c>.</summary>
    public static int PodPrefix(ReadOnlySpan<byte> namespaceLabel, Span<byte> destination)
    {
        namespaceLabel.CopyTo(destination);
        Svc.CopyTo(destination[namespaceLabel.Length..]);
        return namespaceLabel.Length + Svc.Length;
    }

    /// <summary>
    /// A pod's list, as CoreDNS's kubernetes plugin makes it: <c>ns.svc.ZONE</c>, <c>svc.ZONE</c>, <c>ZONE</c>, the
    /// server's own search domains, then the name itself. Repeats (zone <c>.</c> makes ZONE the root) are asked once.
    /// </summary>
    public static List<byte[]> ForPod(ReadOnlySpan<byte> namespaceLabel, byte[] zone, IReadOnlyList<byte[]> hostSearch)
    {
        var list = new List<byte[]>(4 + hostSearch.Count);
        Span<byte> prefix = stackalloc byte[64 + Svc.Length];
        int length = PodPrefix(namespaceLabel, prefix);
        list.Add([.. prefix[..length], .. zone]);
        AddOnce(list, [.. Svc, .. zone]);
        if (zone.Length > 1)
        {
            // In zone "." CoreDNS's third element makes "base.." (no name at all); the root comes last instead.
            AddOnce(list, zone);
        }
        foreach (var domain in hostSearch)
        {
            AddOnce(list, domain);
        }
        AddOnce(list, Root);
        return list;
    }

    /// <summary>A static list (<c>autopath RESOLV-CONF</c>): its search domains, then the name itself.</summary>
    public static List<byte[]> FromFile(IReadOnlyList<byte[]> search)
    {
        var list = new List<byte[]>(search.Count + 1);
        foreach (var domain in search)
        {
            AddOnce(list, domain);
        }
        AddOnce(list, Root);
        return list;
    }

    private static void AddOnce(List<byte[]> list, byte[] name)
    {
        foreach (var existing in list)
        {
            if (existing.AsSpan().SequenceEqual(name))
            {
                return;
            }
        }
        list.Add(name);
    }

    /// <summary>The longest of <paramref name="zones"/> that <paramref name="name"/> is in (or is); -1 for none.</summary>
    public static int LongestZone(ReadOnlySpan<byte> name, IReadOnlyList<byte[]> zones)
    {
        int best = -1;
        for (int i = 0; i < zones.Count; i++)
        {
            var zone = zones[i];
            if (IsAtOrBelow(name, zone) && (best < 0 || zone.Length > zones[best].Length))
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>Whether <paramref name="name"/> is <paramref name="zone"/> or below it, on a label boundary.</summary>
    public static bool IsAtOrBelow(ReadOnlySpan<byte> name, ReadOnlySpan<byte> zone)
    {
        int start = name.Length - zone.Length;
        if (start < 0)
        {
            return false;
        }
        int offset = 0;
        while (offset < start)
        {
            offset += name[offset] + 1;
        }
        return offset == start && name[start..].SequenceEqual(zone);
    }
}
