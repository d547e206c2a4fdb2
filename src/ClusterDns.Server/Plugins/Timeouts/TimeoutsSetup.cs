using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Timeouts;

/// <summary>
/// <c>timeouts { read D; write D; idle D; maxtcpqueries N }</c> (CoreDNS): the TCP listener's limits for this
/// server block. Durations are Go durations or bare seconds, 1 s to 24 h as CoreDNS checks; N is positive or -1
/// (no limit). Not a handler: it shapes the listener, so it costs nothing per query.
/// </summary>
public sealed class TimeoutsSetup : IPluginSetup
{
    public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Maximum = TimeSpan.FromHours(24);

    public string Name => "timeouts";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectArgCount(0, 0);
        if (directive.Block.Count == 0)
        {
            throw directive.Error("timeouts block with no timeouts or limits specified");
        }
        var settings = block.Tcp;
        foreach (var option in directive.Block)
        {
            option.ExpectNoBlock();
            settings = option.Name switch
            {
                "read" => settings with { Read = Timeout(option) },
                "write" => settings with { Write = Timeout(option) },
                "idle" => settings with { Idle = Timeout(option) },
                // CoreDNS 1.14.7 documents maxtcpqueries; its code before that read max_queries.
                "maxtcpqueries" or "max_queries" => settings with { MaxQueries = MaxQueries(option) },
                _ => throw directive.UnknownSubdirective(option),
            };
        }
        block.Tcp = settings;
    }

    private static TimeSpan Timeout(Directive option)
    {
        option.ExpectArgCount(1, 1);
        var value = option.Args[0].ParseSeconds();
        return value >= Minimum && value <= Maximum
            ? value
            : throw option.Args[0].Error($"timeout '{option.Args[0].Text}' needs to be between 1 second and 24 hours");
    }

    private static int MaxQueries(Directive option)
    {
        option.ExpectArgCount(1, 1);
        int value = option.Args[0].ParseInt();
        return value > 0 || value == -1
            ? value
            : throw option.Args[0].Error($"'{option.Name}' must be a positive integer or -1 (no limit), got {value}");
    }
}
