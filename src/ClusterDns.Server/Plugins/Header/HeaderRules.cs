namespace ClusterDns.Server.Plugins.Header;

/// <summary>
/// One direction's flag rules folded into two masks (later rules win, as CoreDNS applies them in order), so applying
/// them is two bit operations on the header's flags word.
/// </summary>
internal readonly record struct HeaderRules(ushort Set, ushort Clear)
{
    public bool IsEmpty => Set == 0 && Clear == 0;

    public ushort Apply(ushort flags) => (ushort)((flags & ~Clear) | Set);

    public HeaderRules With(ushort bit, bool set) =>
        set ? new((ushort)(Set | bit), (ushort)(Clear & ~bit)) : new((ushort)(Set & ~bit), (ushort)(Clear | bit));

    /// <summary>The flags word bit of a flag name as the header README spells it, 0 if unknown.</summary>
    public static ushort Bit(string flag) => flag.ToLowerInvariant() switch
    {
        "aa" => 0x0400,
        "rd" => 0x0100,
        "ra" => 0x0080,
        "ad" => 0x0020,
        "cd" => 0x0010,
        _ => 0,
    };
}
