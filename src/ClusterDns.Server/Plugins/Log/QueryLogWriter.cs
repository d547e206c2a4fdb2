using System.Threading.Channels;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Log;

/// <summary>
/// The background side of the query log: a bounded queue the query path writes to without waiting, and a
/// loop that formats and logs the entries. A full queue drops the entry and counts it.
/// </summary>
internal sealed partial class QueryLogWriter : IServerComponent
{
    private readonly Channel<QueryLogEntry> _queue;
    private readonly ILogger _logger;
    private long _dropped;
    private Task? _loop;

    public QueryLogWriter(ILogger logger, int capacity = LogOptions.QueueCapacity)
    {
        _logger = logger;
        // Wait mode: TryWrite fails on a full queue instead of silently dropping, so drops can be counted.
        _queue = Channel.CreateBounded<QueryLogEntry>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>Entries dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Never blocks: the entry is queued or dropped (and counted).</summary>
    public void Enqueue(in QueryLogEntry entry)
    {
        if (!_queue.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = DrainAsync();
        return Task.CompletedTask;
    }

    /// <summary>Stops taking entries and logs what is queued.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        long dropped = Dropped;
        if (dropped > 0)
        {
            LogDropped(_logger, dropped);
        }
    }

    private async Task DrainAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var entry))
            {
                LogQuery(_logger, QueryLogFormatter.Format(entry));
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogQuery(ILogger logger, string line);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "log: {Dropped} query log entries were dropped because the log could not keep up")]
    private static partial void LogDropped(ILogger logger, long dropped);
}
