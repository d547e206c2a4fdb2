using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Errors;

/// <summary>Reports each consolidation rule's count once per its period, as CoreDNS's errors plugin.</summary>
internal sealed class ErrorsConsolidator : Config.IServerComponent
{
    private readonly IReadOnlyList<ConsolidationCounter> _counters;
    private readonly ILogger _logger;
    private CancellationTokenSource? _stop;
    private Task[] _loops = [];

    public ErrorsConsolidator(IReadOnlyList<ConsolidationCounter> counters, ILogger logger)
    {
        _counters = counters;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stop = new CancellationTokenSource();
        _loops = _counters.Select(counter => RunAsync(counter, _stop.Token)).ToArray();
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
        foreach (var counter in _counters)
        {
            Report(counter);
        }
    }

    private async Task RunAsync(ConsolidationCounter counter, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(counter.Rule.Period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Report(counter);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped; StopAsync reports what is left.
        }
    }

    /// <summary>Logs "N errors like 'REGEXP' occurred in last PERIOD" when there were any.</summary>
    internal void Report(ConsolidationCounter counter)
    {
        long count = counter.TakeCount();
        if (count > 0)
        {
            // The level is chosen per rule in the Corefile, so this cannot be a fixed-level [LoggerMessage].
            _logger.Log(counter.Rule.Level, "{Count} errors like '{Pattern}' occurred in last {Period}",
                count, counter.Rule.Pattern.ToString(), GoDurationText(counter.Rule.Period));
        }
    }

    private static string GoDurationText(TimeSpan period) =>
        period.TotalSeconds % 60 == 0 && period.TotalMinutes >= 1
            ? ((long)period.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m0s"
            : period.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
