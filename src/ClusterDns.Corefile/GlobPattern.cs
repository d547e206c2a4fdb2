namespace ClusterDns.Corefile;

/// <summary>
/// Go filepath.Glob-style matching of files: "*" (any run of characters except the separator), "?" (one
/// character) and "[…]" classes ("[abc]", "[a-z]", "[!x]" or "[^x]"), in any path segment. Results are sorted
/// ordinally so imports happen in a predictable order.
/// </summary>
internal static class GlobPattern
{
    public static IReadOnlyList<string> Expand(string fullPattern)
    {
        string root = Path.GetPathRoot(fullPattern) ?? string.Empty;
        string[] segments = fullPattern[root.Length..].Split(
            [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        var found = new List<string>();
        Walk(root.Length == 0 ? "." : root, segments, 0, found);
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    public static bool HasWildcards(string segment) => segment.AsSpan().IndexOfAny("*?[") >= 0;

    private static void Walk(string directory, string[] segments, int index, List<string> found)
    {
        string segment = segments[index];
        bool last = index == segments.Length - 1;
        if (!HasWildcards(segment))
        {
            string next = Path.Combine(directory, segment);
            if (last)
            {
                if (File.Exists(next))
                {
                    found.Add(next);
                }
            }
            else if (Directory.Exists(next))
            {
                Walk(next, segments, index + 1, found);
            }

            return;
        }

        if (!Directory.Exists(directory))
        {
            return;
        }

        IEnumerable<string> entries = last ? Directory.EnumerateFiles(directory) : Directory.EnumerateDirectories(directory);
        foreach (string entry in entries)
        {
            if (IsMatch(segment, Path.GetFileName(entry)))
            {
                if (last)
                {
                    found.Add(entry);
                }
                else
                {
                    Walk(entry, segments, index + 1, found);
                }
            }
        }
    }

    /// <summary>Matches one path segment against one name.</summary>
    public static bool IsMatch(string pattern, string name) => Match(pattern, 0, name, 0);

    private static bool Match(string pattern, int p, string name, int n)
    {
        while (p < pattern.Length)
        {
            char c = pattern[p];
            if (c == '*')
            {
                // Collapse runs of stars, then try every split point.
                while (p < pattern.Length && pattern[p] == '*')
                {
                    p++;
                }

                for (int k = n; k <= name.Length; k++)
                {
                    if (Match(pattern, p, name, k))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (n >= name.Length)
            {
                return false;
            }

            if (c == '?')
            {
                p++;
                n++;
                continue;
            }

            if (c == '[')
            {
                int close = p + 2 <= pattern.Length ? pattern.IndexOf(']', p + 2) : -1;
                if (close > p)
                {
                    if (!MatchClass(pattern.AsSpan(p + 1, close - p - 1), name[n]))
                    {
                        return false;
                    }

                    p = close + 1;
                    n++;
                    continue;
                }
            }

            if (c != name[n])
            {
                return false;
            }

            p++;
            n++;
        }

        return n == name.Length;
    }

    private static bool MatchClass(ReadOnlySpan<char> set, char ch)
    {
        bool negate = set.Length > 0 && set[0] is '!' or '^';
        if (negate)
        {
            set = set[1..];
        }

        bool matched = false;
        for (int i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                matched |= ch >= set[i] && ch <= set[i + 2];
                i += 2;
            }
            else
            {
                matched |= ch == set[i];
            }
        }

        return matched != negate;
    }
}
