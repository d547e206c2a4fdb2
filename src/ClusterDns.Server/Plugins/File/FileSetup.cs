using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;

// Not "...Plugins.File": that namespace would hide System.IO.File from every sibling plugin namespace.
namespace ClusterDns.Server.Plugins.FilePlugin;

/// <summary><c>file DBFILE [ZONES...] { reload DURATION; reload_by_mtime; fallthrough [ZONES...] }</c>, as CoreDNS's file plugin.</summary>
public sealed class FileSetup : IPluginSetup
{
    public string Name => "file";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive, block);
        // Taken before reading, so that a write during the read is seen at the next check, not missed.
        var mtime = System.IO.File.GetLastWriteTimeUtc(options.Path);
        if (!ZoneFileLoader.TryLoad(options.Path, options.Zones, out var loaded, out var error))
        {
            throw directive.Error(error);
        }
        var handler = new FileHandler(loaded.Zones, options.Fallthrough);
        block.AddHandler(handler);
        if (options.Reload > TimeSpan.Zero)
        {
            var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Plugins.File");
            block.Context.Components.Add(new ZoneFileWatcher(handler, options, loaded.ContentHash, mtime, logger));
        }
    }

    internal static FileOptions Parse(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectArgCount(1, int.MaxValue);
        string path = block.Context.ResolvePath(directive.Args[0].Text);
        var zones = ZoneArguments.OrBlock(directive.Args, 1, block.Zones);
        var reload = FileOptions.DefaultReload;
        IReadOnlyList<DnsName>? fallthrough = null;
        bool byMtime = false;
        foreach (var sub in directive.Block)
        {
            switch (sub.Name)
            {
                case "reload":
                    sub.ExpectArgCount(1, 1);
                    reload = sub.Args[0].ParseDuration();
                    break;
                case "reload_by_mtime":
                    sub.ExpectArgCount(0, 0);
                    byMtime = true;
                    break;
                case "fallthrough":
                    fallthrough = ZoneArguments.Parse(sub.Args);
                    break;
                case "upstream":
                    // Accepted and ignored, as by CoreDNS since 1.7 (CNAME targets outside the zone are left to the client).
                    break;
                default:
                    throw directive.UnknownSubdirective(sub);
            }
        }
        return new FileOptions(path, zones, reload) { Fallthrough = fallthrough, ReloadByMtime = byMtime };
    }
}
