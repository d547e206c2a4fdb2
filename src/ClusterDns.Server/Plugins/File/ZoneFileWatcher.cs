using System.Security.Cryptography;
using ClusterDns.Protocol;
using ClusterDns.Server.Common;
using Microsoft.Extensions.Logging;

// Not "...Plugins.File": that namespace would hide System.IO.File from every sibling plugin namespace.
namespace ClusterDns.Server.Plugins.FilePlugin;

/// <summary>
/// Re-reads a zone file every reload interval when its bytes changed, and swaps the handler's zones. A file
/// that no longer parses is logged (file:line) and the old zones keep serving. With <c>reload_by_mtime</c> the
/// file is read only when its modification time changed.
/// </summary>
internal sealed partial class ZoneFileWatcher : PeriodicComponent
{
    private readonly FileHandler _handler;
    private readonly string _path;
    private readonly IReadOnlyList<DnsName> _zones;
    private readonly ILogger _logger;
    private readonly bool _byMtime;
    private byte[] _hash;
    private DateTime _mtime;

    public ZoneFileWatcher(FileHandler handler, FileOptions options, byte[] loadedHash, DateTime loadedMtime, ILogger logger)
        : base(options.Reload)
    {
        _handler = handler;
        _path = options.Path;
        _zones = options.Zones;
        _hash = loadedHash;
        _byMtime = options.ReloadByMtime;
        _mtime = loadedMtime;
        _logger = logger;
    }

    protected override void Tick() => ReloadIfChanged();

    /// <summary>One check: reloads when the file's bytes differ from the last good load.</summary>
    public ZoneReloadOutcome ReloadIfChanged()
    {
        if (_byMtime)
        {
            var mtime = File.GetLastWriteTimeUtc(_path);
            if (mtime == _mtime)
            {
                return ZoneReloadOutcome.Unchanged;
            }
            _mtime = mtime;
        }
        if (!ZoneFileLoader.TryReadBytes(_path, out var bytes, out var readError))
        {
            LogReloadFailed(_logger, readError);
            return ZoneReloadOutcome.Failed;
        }
        if (SHA256.HashData(bytes).AsSpan().SequenceEqual(_hash))
        {
            return ZoneReloadOutcome.Unchanged;
        }
        if (!ZoneFileLoader.TryLoad(_path, bytes, _zones, out var loaded, out var error))
        {
            LogReloadFailed(_logger, error);
            return ZoneReloadOutcome.Failed;
        }
        _handler.Zones = loaded.Zones;
        _hash = loaded.ContentHash;
        foreach (var zone in loaded.Zones.Zones)
        {
            LogReloaded(_logger, zone.Origin.ToString(), _path, zone.Serial);
        }
        return ZoneReloadOutcome.Reloaded;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "file: reload failed, keeping the zone as it was: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "file: zone {Zone} reloaded from {Path}, serial {Serial}")]
    private static partial void LogReloaded(ILogger logger, string zone, string path, uint serial);
}

/// <summary>What one reload check did.</summary>
internal enum ZoneReloadOutcome
{
    Unchanged,
    Reloaded,
    Failed,
}
