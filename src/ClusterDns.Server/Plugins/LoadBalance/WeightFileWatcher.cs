using System.Security.Cryptography;
using ClusterDns.Server.Common;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary>
/// Re-reads the weight file every <c>reload</c> interval when its bytes changed. A file that cannot be read or
/// does not parse leaves the weights in use as they were (and is logged), as CoreDNS does.
/// </summary>
internal sealed partial class WeightFileWatcher : PeriodicComponent
{
    private readonly LoadBalanceHandler _handler;
    private readonly string _path;
    private readonly ILogger _logger;
    private byte[] _hash;

    public WeightFileWatcher(LoadBalanceHandler handler, string path, TimeSpan interval, byte[] loadedHash, ILogger logger)
        : base(interval)
    {
        _handler = handler;
        _path = path;
        _hash = loadedHash;
        _logger = logger;
    }

    protected override void Tick() => ReloadIfChanged();

    /// <summary>One check; true when new weights were installed.</summary>
    public bool ReloadIfChanged()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(_path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            LogReadFailed(_logger, _path, exception.Message);
            return false;
        }
        var hash = SHA256.HashData(bytes);
        if (hash.AsSpan().SequenceEqual(_hash))
        {
            return false;
        }
        // Remember the bad content too, so it is reported once rather than every interval.
        _hash = hash;
        if (!WeightTable.TryParse(System.Text.Encoding.UTF8.GetString(bytes), out var table, out int line, out var error))
        {
            LogBadFile(_logger, _path, line, error!);
            return false;
        }
        _handler.Weights = table;
        LogReloaded(_logger, _path, table.NameCount);
        return true;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "loadbalance: cannot read weight file {Path}, keeping the weights in use: {Reason}")]
    private static partial void LogReadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "loadbalance: {Path}:{Line}: {Reason}; keeping the weights in use")]
    private static partial void LogBadFile(ILogger logger, string path, int line, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "loadbalance: reloaded weight file {Path} ({Names} names)")]
    private static partial void LogReloaded(ILogger logger, string path, int names);
}
