using ClusterDns.Server.Config;

namespace ClusterDns.Server.Common;

/// <summary>
/// A component that runs one check every interval while its pipeline serves (file and hosts reloads):
/// started with the pipeline, stopped with it, a check never overlapping the next.
/// </summary>
public abstract class PeriodicComponent : IServerComponent
{
    private readonly TimeSpan _interval;
    private CancellationTokenSource? _stop;
    private Task? _loop;

    protected PeriodicComponent(TimeSpan interval) => _interval = interval;

    /// <summary>One check; exceptions are the check's to handle (log and keep the old state).</summary>
    protected abstract void Tick();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stop = new CancellationTokenSource();
        _loop = RunAsync(_stop.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null || _loop is null)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Tick();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
