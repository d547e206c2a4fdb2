namespace ClusterDns.Protocol;

/// <summary>
/// Operations on names in uncompressed wire form (length-prefixed labels ending in the root label),
/// over spans so the query path allocates nothing. Comparisons are ASCII case-insensitive (RFC 4343).
/// </summary>
public static class WireName
{
    public const int MaxLength = 255;
    public const int MaxLabelLength = 63;

    /// <summary>ASCII lower-casing of one byte; other bytes are kept.</summary>
    public static byte ToLower(byte b) => (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;

    /// <summary>Copies a wire name lower-cased. Length bytes are never in 'A'..'Z' range only by accident: they are skipped.</summary>
    public static void CopyLower(ReadOnlySpan<byte> name, Span<byte> destination)
    {
        int i = 0;
        while (i < name.Length)
        {
            int length = name[i];
            destination[i] = (byte)length;
            i++;
            for (int end = i + length; i < end; i++)
            {
                destination[i] = ToLower(name[i]);
            }
            if (length == 0)
            {
                break;
            }
        }
    }

    /// <summary>Lower-cases a wire name in place, label bytes only.</summary>
    public static void ToLowerInPlace(Span<byte> name) => CopyLower(name, name);

    /// <summary>Case-insensitive equality of two uncompressed wire names.</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && ToLower(a[i]) != ToLower(b[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Case-insensitive hash of a wire name (FNV-1a over lower-cased bytes).</summary>
    public static int GetHashCodeIgnoreCase(ReadOnlySpan<byte> name)
    {
        uint hash = 2166136261;
        foreach (byte b in name)
        {
            hash = (hash ^ ToLower(b)) * 16777619;
        }
        return (int)hash;
    }

    /// <summary>Number of labels, not counting the root.</summary>
    public static int CountLabels(ReadOnlySpan<byte> name)
    {
        int count = 0;
        int i = 0;
        while (i < name.Length && name[i] != 0)
        {
            i += name[i] + 1;
            count++;
        }
        return count;
    }

    /// <summary>Length, root byte included, of the uncompressed name at the start of <paramref name="data"/>.</summary>
    public static int UncompressedLength(ReadOnlySpan<byte> data)
    {
        int i = 0;
        while (i < data.Length && data[i] != 0)
        {
            i += data[i] + 1;
        }
        return Math.Min(i + 1, data.Length);
    }

    /// <summary>Offset of the suffix that drops the first <paramref name="labels"/> labels.</summary>
    public static int SkipLabels(ReadOnlySpan<byte> name, int labels)
    {
        int i = 0;
        while (labels-- > 0 && i < name.Length && name[i] != 0)
        {
            i += name[i] + 1;
        }
        return i;
    }

    /// <summary>True when <paramref name="name"/> equals or is below <paramref name="zone"/> (both uncompressed wire form).</summary>
    public static bool IsSubdomainOf(ReadOnlySpan<byte> name, ReadOnlySpan<byte> zone)
    {
        if (zone.Length > name.Length)
        {
            return false;
        }
        // Walk label boundaries of name until the remaining suffix has the zone's length.
        int i = 0;
        while (name.Length - i > zone.Length)
        {
            if (name[i] == 0)
            {
                return false;
            }
            i += name[i] + 1;
        }
        return name.Length - i == zone.Length && EqualsIgnoreCase(name[i..], zone);
    }

    /// <summary>Index of the longest of <paramref name="zones"/> that contains <paramref name="name"/>, or -1 (same case expected).</summary>
    public static int IndexOfLongestZone(ReadOnlySpan<byte> name, byte[][] zones)
    {
        int best = -1;
        for (int i = 0; i < zones.Length; i++)
        {
            if ((best < 0 || zones[i].Length > zones[best].Length) && IsSubdomainOf(name, zones[i]))
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>True when some zone of <paramref name="zones"/> contains <paramref name="name"/>.</summary>
    public static bool IsInAnyZone(ReadOnlySpan<byte> name, byte[][] zones)
    {
        foreach (var zone in zones)
        {
            if (IsSubdomainOf(name, zone))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Checks that a span is one well-formed uncompressed wire name that fills the span exactly.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0 || name.Length > MaxLength)
        {
            return false;
        }
        int i = 0;
        while (i < name.Length)
        {
            int length = name[i];
            if (length == 0)
            {
                return i == name.Length - 1;
            }
            if (length > MaxLabelLength)
            {
                return false;
            }
            i += length + 1;
        }
        return false;
    }
}
