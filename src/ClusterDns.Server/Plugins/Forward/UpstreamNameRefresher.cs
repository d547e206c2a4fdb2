using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// Resolves a forward's host name upstreams again every <see cref="ForwardOptions.ResolveInterval"/> (CoreDNS: 30 s)
/// in the background, and swaps the handler's upstream list when the addresses changed. Queries never wait for
/// a lookup; a failed lookup keeps the addresses in use (as CoreDNS).
/// </summary>
internal sealed partial class UpstreamNameRefresher : IServerComponent
{
    /// <summary>Queries in flight on a replaced upstream finish first (the 5 s query timeout, with margin).</summary>
    private static readonly TimeSpan RetireGrace = TimeSpan.FromSeconds(10);

    private readonly ForwardHandler _handler;
    private readonly IReadOnlyList<UpstreamAddress> _static;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _retiring = new();
    private Task _loop = Task.CompletedTask;

    public UpstreamNameRefresher(ForwardHandler handler, IReadOnlyList<UpstreamAddress> staticUpstreams, ILogger logger)
    {
        _handler = handler;
        _static = staticUpstreams;
        _logger = logger;
    }

    private ForwardOptions Options => _handler.Options;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Task[] retiring;
        lock (_retiring)
        {
            retiring = _retiring.ToArray();
        }
        await Task.WhenAll(retiring).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Options.ResolveInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await RefreshOnceAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One round: resolve every host name; when the set of addresses changed, serve the new one.</summary>
    /// <returns>Whether the upstream list was replaced.</returns>
    public async Task<bool> RefreshOnceAsync(CancellationToken stopping)
    {
        IReadOnlyList<UpstreamAddress> resolved;
        try
        {
            resolved = await UpstreamNameResolver.ResolveAllAsync(Options.Hostnames, Options.Resolvers, stopping).ConfigureAwait(false);
        }
        catch (UpstreamResolutionException exception)
        {
            LogRefreshFailed(_logger, exception.Message);
            return false;
        }
        var next = _static.Concat(resolved).Distinct().Take(ForwardOptions.MaxUpstreams).ToArray();
        var current = _handler.Upstreams.Select(u => u.Address).ToHashSet();
        if (current.SetEquals(next))
        {
            return false;
        }
        LogChanged(_logger, string.Join(" ", resolved));
        var removed = _handler.ReplaceUpstreams(next);
        if (removed.Count > 0)
        {
            lock (_retiring)
            {
                _retiring.RemoveAll(t => t.IsCompleted);
                _retiring.Add(RetireAsync(removed, stopping));
            }
        }
        return true;
    }

    private static async Task RetireAsync(IReadOnlyList<Upstream> removed, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(RetireGrace, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: close them now.
        }
        foreach (var upstream in removed)
        {
            await upstream.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 511, Level = LogLevel.Information, Message = "Upstream host names now resolve to {Addresses}")]
    private static partial void LogChanged(ILogger logger, string addresses);

    [LoggerMessage(EventId = 512, Level = LogLevel.Warning, Message = "Failed to re-resolve upstream host names, keeping the current addresses: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
