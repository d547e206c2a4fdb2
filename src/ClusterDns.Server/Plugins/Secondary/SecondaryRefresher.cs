using System.Diagnostics;
using ClusterDns.Server.Config;
using ClusterDns.Server.Zones;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Secondary;

/// <summary>
/// Keeps each secondary zone current, one loop per zone: a whole transfer at start (retried every
/// <see cref="InitialRetry"/> until one primary answers, as CoreDNS), then an IXFR at every NOTIFY and every SOA
/// refresh, every SOA retry after a failure. The primaries are tried in order. A transfer that fails or does not
/// apply leaves the version being served untouched; only the SOA expire ends it (<see cref="SecondaryZone.IsExpired"/>).
/// </summary>
internal sealed partial class SecondaryRefresher : IServerComponent
{
    /// <summary>CoreDNS retries the first transfer every 10 s.</summary>
    internal static TimeSpan InitialRetry { get; set; } = TimeSpan.FromSeconds(10);

    private readonly SecondaryZone[] _zones;
    private readonly ILogger _logger;
    private CancellationTokenSource? _stop;
    private Task[] _loops = [];

    public SecondaryRefresher(SecondaryZone[] zones, ILogger logger)
    {
        _zones = zones;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stop = new CancellationTokenSource();
        _loops = _zones.Select(zone => Task.Run(() => RunAsync(zone, _stop.Token), CancellationToken.None)).ToArray();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(SecondaryZone zone, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                bool succeeded = await RefreshAsync(zone, stopping).ConfigureAwait(false);
                await zone.WaitAsync(zone.NextCheck(succeeded), stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped with the pipeline.
        }
    }

    /// <summary>One check: each primary in turn until one answers; true when the zone is current afterwards.</summary>
    internal async Task<bool> RefreshAsync(SecondaryZone zone, CancellationToken stopping)
    {
        foreach (var primary in zone.Primaries)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var current = zone.Current;
                var outcome = await ZoneTransferClient.TransferAsync(primary, zone.Origin, current?.Soa, zone.CountReceived, stopping).ConfigureAwait(false);
                if (Apply(zone, current, outcome, out string what))
                {
                    LogRefreshed(_logger, zone.Origin.ToString(), primary, what, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    return true;
                }
                // An IXFR that does not apply to what we hold: ask the whole zone from the same primary.
                LogInconsistent(_logger, zone.Origin.ToString(), primary, what);
                outcome = await ZoneTransferClient.TransferAsync(primary, zone.Origin, null, zone.CountReceived, stopping).ConfigureAwait(false);
                if (Apply(zone, null, outcome, out what))
                {
                    LogRefreshed(_logger, zone.Origin.ToString(), primary, what, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    return true;
                }
                Interlocked.Increment(ref zone.Failures);
                LogFailed(_logger, zone.Origin.ToString(), primary, what);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                Interlocked.Increment(ref zone.Failures);
                LogFailed(_logger, zone.Origin.ToString(), primary, exception.Message);
            }
        }
        return false;
    }

    /// <summary>
    /// Installs what the primary sent; false (with the reason) when it does not make a valid zone from what we hold.
    /// A whole zone is built from its records (which are dropped afterwards); differences are applied to the zone held,
    /// in time proportional to the change.
    /// </summary>
    internal static bool Apply(SecondaryZone zone, SecondaryZone.Version? current, TransferOutcome outcome, out string what)
    {
        switch (outcome)
        {
            case TransferOutcome.UpToDate upToDate:
                zone.Confirmed();
                Interlocked.Increment(ref zone.UpToDateChecks);
                what = $"current at serial {upToDate.Serial}";
                return true;
            case TransferOutcome.Whole whole:
                var snapshot = whole.Snapshot;
                var records = new List<Protocol.DnsRecord>(snapshot.Records.Count + 1) { snapshot.Soa };
                records.AddRange(snapshot.Records);
                if (!AuthoritativeZone.TryCreate(zone.Origin, records, out var built, out var invalid))
                {
                    what = invalid;
                    return false;
                }
                zone.Install(new SecondaryZone.Version(snapshot.Soa, built));
                Interlocked.Increment(ref zone.FullTransfers);
                what = $"whole zone at serial {snapshot.Serial}, {snapshot.Records.Count + 1} records";
                return true;
            case TransferOutcome.Incremental incremental when current is not null:
                if (!current.Zone.TryApply(incremental.Differences, out var next, out var error))
                {
                    what = error;
                    return false;
                }
                zone.Install(new SecondaryZone.Version(incremental.Differences[^1].ToSoa, next));
                Interlocked.Increment(ref zone.IncrementalTransfers);
                what = $"{incremental.Differences.Count} differences to serial {next.Serial}";
                return true;
            default:
                what = "differences without a version to apply them to";
                return false;
        }
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Secondary zone {Zone} from {Primary}: {What} ({Milliseconds:0.0} ms)")]
    private static partial void LogRefreshed(ILogger logger, string zone, System.Net.IPEndPoint primary, string what, double milliseconds);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Transfer of secondary zone {Zone} from {Primary} failed: {Reason}; the version served is kept")]
    private static partial void LogFailed(ILogger logger, string zone, System.Net.IPEndPoint primary, string reason);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "Incremental transfer of secondary zone {Zone} from {Primary} does not apply ({Reason}); asking the whole zone")]
    private static partial void LogInconsistent(ILogger logger, string zone, System.Net.IPEndPoint primary, string reason);
}
