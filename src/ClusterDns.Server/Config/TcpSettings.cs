namespace ClusterDns.Server.Config;

/// <summary>
/// The TCP connection limits a server block sets (the <c>timeouts</c> plugin); null: the listener's default.
/// MaxQueries -1 means no limit. A record, so a reload that changes them reopens the port's listeners.
/// </summary>
public sealed record TcpSettings(TimeSpan? Read = null, TimeSpan? Write = null, TimeSpan? Idle = null, int? MaxQueries = null)
{
    public static TcpSettings None { get; } = new();

    /// <summary>
    /// The settings of blocks sharing one port: for each limit the most lenient value any block sets (the longest
    /// timeout, the most queries, -1 above all), so no block's clients get less than their block asked for.
    /// </summary>
    public static TcpSettings Merge(IEnumerable<TcpSettings> blocks)
    {
        var merged = None;
        foreach (var block in blocks)
        {
            merged = new TcpSettings(Longer(merged.Read, block.Read), Longer(merged.Write, block.Write), Longer(merged.Idle, block.Idle),
                MoreQueries(merged.MaxQueries, block.MaxQueries));
        }
        return merged;
    }

    private static TimeSpan? Longer(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static int? MoreQueries(int? a, int? b) => a is null ? b : b is null ? a : a == -1 || b == -1 ? -1 : Math.Max(a.Value, b.Value);
}
