namespace ClusterDns.Corefile;

/// <summary>One server block: the zones and ports it serves, and its directives in file order.</summary>
public sealed class ServerBlock
{
    internal ServerBlock(IReadOnlyList<ZoneAddress> keys, IReadOnlyList<Directive> directives, string file, int line)
    {
        Keys = keys;
        Directives = directives;
        File = file;
        Line = line;
    }

    /// <summary>The keys, CIDR keys already expanded into their reverse zones.</summary>
    public IReadOnlyList<ZoneAddress> Keys { get; }

    public IReadOnlyList<Directive> Directives { get; }

    public string File { get; }

    /// <summary>Line of the block's first key.</summary>
    public int Line { get; }
}
