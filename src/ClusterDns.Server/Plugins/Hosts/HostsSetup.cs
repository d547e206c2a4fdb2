using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Hosts;

/// <summary>
/// <c>hosts [FILE [ZONES...]] { [INLINE] ttl SECONDS; no_reverse; reload DURATION; fallthrough [ZONES...];
/// fallthrough_unsupported }</c>, as CoreDNS 1.14's hosts plugin.
/// </summary>
public sealed partial class HostsSetup : IPluginSetup
{
    public string Name => "hosts";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive, block);
        var loaded = HostsFileLoader.Load(options);
        var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Plugins.Hosts");
        if (loaded.ReadError is not null)
        {
            LogUnreadable(logger, loaded.ReadError);
        }
        var handler = new HostsHandler(options, loaded.Index);
        block.AddHandler(handler);
        if (options.Reload > TimeSpan.Zero)
        {
            block.Context.Components.Add(new HostsFileWatcher(handler, options, loaded.ContentHash, logger));
        }
    }

    internal static HostsOptions Parse(Directive directive, ServerBlockBuilder block)
    {
        string path = directive.Args.Count > 0 ? block.Context.ResolvePath(directive.Args[0].Text) : HostsOptions.DefaultPath;
        var zones = ZoneArguments.OrBlock(directive.Args, 1, block.Zones);
        var inline = new List<HostsEntry>();
        uint ttl = HostsOptions.DefaultTtl;
        bool noReverse = false;
        var reload = HostsOptions.DefaultReload;
        IReadOnlyList<DnsName>? fallthrough = null;
        bool fallthroughUnsupported = false;
        foreach (var sub in directive.Block)
        {
            switch (sub.Name)
            {
                case "ttl":
                    sub.ExpectArgCount(1, 1);
                    ttl = (uint)sub.Args[0].ParseInt(1, 65535);
                    break;
                case "no_reverse":
                    sub.ExpectArgCount(0, 0);
                    noReverse = true;
                    break;
                case "reload":
                    sub.ExpectArgCount(1, 1);
                    reload = sub.Args[0].ParseDuration();
                    break;
                case "fallthrough":
                    fallthrough = ZoneArguments.Parse(sub.Args);
                    break;
                case "fallthrough_unsupported":
                    sub.ExpectArgCount(0, 0);
                    fallthroughUnsupported = true;
                    break;
                default:
                    // Anything else is an inline hosts line: ADDRESS NAME [NAME...].
                    string line = sub.Name + " " + string.Join(' ', sub.Args.Select(a => a.Text));
                    if (!HostsEntry.TryParse(line, out var entry, out var error) || entry is null)
                    {
                        throw sub.Error($"'{directive.Name}': unknown property or bad inline entry: {error ?? "no names"}");
                    }
                    inline.Add(entry);
                    break;
            }
        }
        return new HostsOptions
        {
            Path = path,
            Zones = zones,
            Inline = inline,
            Ttl = ttl,
            NoReverse = noReverse,
            Reload = reload,
            Fallthrough = fallthrough,
            FallthroughUnsupported = fallthroughUnsupported,
        };
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "hosts: {Reason}; serving the inline entries only until it can be read")]
    private static partial void LogUnreadable(ILogger logger, string reason);
}
