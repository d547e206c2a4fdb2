using System.Security.Cryptography;
using ClusterDns.Server.Common;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Hosts;

/// <summary>Re-reads the hosts file every reload interval when its bytes changed, and swaps the handler's index.</summary>
internal sealed partial class HostsFileWatcher : PeriodicComponent
{
    private readonly HostsHandler _handler;
    private readonly HostsOptions _options;
    private readonly ILogger _logger;
    private byte[]? _hash;

    public HostsFileWatcher(HostsHandler handler, HostsOptions options, byte[]? loadedHash, ILogger logger)
        : base(options.Reload)
    {
        _handler = handler;
        _options = options;
        _hash = loadedHash;
        _logger = logger;
    }

    protected override void Tick() => ReloadIfChanged();

    /// <summary>One check; true when the index was replaced.</summary>
    public bool ReloadIfChanged()
    {
        byte[]? bytes;
        try
        {
            bytes = File.ReadAllBytes(_options.Path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // A hosts file being replaced may be missing for a moment: keep what we have.
            LogReadFailed(_logger, _options.Path, exception.Message);
            return false;
        }
        if (_hash is not null && SHA256.HashData(bytes).AsSpan().SequenceEqual(_hash))
        {
            return false;
        }
        var loaded = HostsFileLoader.Build(_options, bytes, null);
        _handler.Index = loaded.Index;
        _hash = loaded.ContentHash;
        LogReloaded(_logger, _options.Path, loaded.Index.NameCount, loaded.SkippedLines);
        return true;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "hosts: cannot read {Path}, keeping the entries as they were: {Reason}")]
    private static partial void LogReadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "hosts: reloaded {Path}: {Names} names, {Skipped} unreadable lines skipped")]
    private static partial void LogReloaded(ILogger logger, string path, int names, int skipped);
}
