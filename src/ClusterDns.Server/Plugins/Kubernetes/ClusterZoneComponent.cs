using System.Threading.Channels;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// Runs a cluster source (API server or manifests) and the single zone-writer loop that applies its changes
/// in batches: everything already queued is applied, then one snapshot is published.
/// </summary>
public sealed partial class ClusterZoneComponent : IServerComponent, IReadinessReporter
{
    private const int MaxBatch = 10_000;

    private readonly IClusterSource _source;
    private readonly ClusterZoneBuilder _builder;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stopping;
    private Task _running = Task.CompletedTask;

    public ClusterZoneComponent(IClusterSource source, ClusterZoneBuilder builder, ILogger logger)
    {
        _source = source;
        _builder = builder;
        _logger = logger;
    }

    public string Name => "kubernetes";

    public bool IsReady => _builder.Current.Synced;

    /// <summary>Completes when every kind has finished its first list.</summary>
    public Task FirstSync => _firstSync.Task;

    public ClusterIndex Current => _builder.Current;

    /// <summary>Raised on the writer's thread after each publish (tests await changes with it).</summary>
    public event Action<ClusterIndex>? Published
    {
        add => _builder.Published += value;
        remove => _builder.Published -= value;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        var channel = Channel.CreateUnbounded<ClusterChange>(new UnboundedChannelOptions { SingleReader = true });
        var token = _stopping.Token;
        var produce = Task.Run(() => RunSourceAsync(channel.Writer, token), CancellationToken.None);
        var consume = Task.Run(() => ApplyChangesAsync(channel.Reader, token), CancellationToken.None);
        _running = Task.WhenAll(produce, consume);
        return Task.CompletedTask;
    }

    private async Task RunSourceAsync(ChannelWriter<ClusterChange> writer, CancellationToken token)
    {
        try
        {
            await _source.RunAsync(writer, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            LogSourceFailed(_logger, exception);
        }
        finally
        {
            writer.TryComplete();
        }
    }

    private async Task ApplyChangesAsync(ChannelReader<ClusterChange> reader, CancellationToken token)
    {
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                int applied = 0;
                while (applied < MaxBatch && reader.TryRead(out var change))
                {
                    try
                    {
                        _builder.Apply(change);
                    }
                    catch (Exception exception)
                    {
                        LogChangeFailed(_logger, exception, change.Kind.ToString(), change.Key);
                    }
                    applied++;
                }
                try
                {
                    _builder.Publish();
                }
                catch (Exception exception)
                {
                    LogChangeFailed(_logger, exception, "publish", "");
                }
                if (_builder.Current.Synced && _firstSync.TrySetResult())
                {
                    LogSynced(_logger, _builder.Current.NameCount);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
        }
        _stopping.Dispose();
        _stopping = null;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "The cluster source stopped unexpectedly; the last known zone keeps answering")]
    private static partial void LogSourceFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Applying a {Kind} change ({Key}) failed; it was skipped")]
    private static partial void LogChangeFailed(ILogger logger, Exception exception, string kind, string key);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Cluster zone synced: {Names} names")]
    private static partial void LogSynced(ILogger logger, int names);
}
