using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Hosting;

/// <summary>
/// The DNS server as a Generic Host service: loads the Corefile at start (a bad one stops the start with
/// file:line), re-checks it on the <c>reload</c> schedule, and on shutdown (SIGTERM) fails <c>/health</c> at once,
/// keeps answering for the <c>lameduck</c> duration, then drains and stops.
/// </summary>
public sealed partial class DnsHostedService : IHostedService, IAsyncDisposable
{
    private readonly DnsServerOptions _options;
    private readonly ILogger _logger;
    private readonly CorefileLoader _loader;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private CancellationTokenRegistration _stoppingRegistration;
    private Task _reloadLoop = Task.CompletedTask;
    private string? _lastFailedKey;
    private PosixSignalRegistration? _usr1;
    private ServerPipeline? _loaded;

    public DnsHostedService(DnsServerOptions options, DnsServer server, ILoggerFactory loggerFactory,
        ProcessServices? services = null, IHostApplicationLifetime? lifetime = null, PluginRegistry? plugins = null)
    {
        _options = options;
        Server = server;
        Services = services ?? new ProcessServices(loggerFactory, processMetrics: false);
        _lifetime = lifetime;
        _logger = loggerFactory.CreateLogger<DnsHostedService>();
        _loader = new CorefileLoader(loggerFactory, plugins, Services);
    }

    public DnsServer Server { get; }

    public ProcessServices Services { get; }

    /// <summary>Completes when the last started reload loop ends (tests wait on it).</summary>
    public Task ReloadLoop => _reloadLoop;

    /// <summary>
    /// Reads the Corefile before the host starts, so a bad one is reported by the caller as one file:line line,
    /// not as the host's start-up failure with a stack trace. <see cref="StartAsync"/> serves what it loaded.
    /// </summary>
    public void LoadCorefile() => _loaded = _loader.Load(_options.CorefilePath, _options.Port);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var pipeline = _loaded ?? _loader.Load(_options.CorefilePath, _options.Port);
        _loaded = null;
        LogStarting(_logger, _options.CorefilePath);
        await Server.StartAsync(pipeline, cancellationToken).ConfigureAwait(false);
        Services.PublishRunning(pipeline);
        if (_lifetime is not null)
        {
            // Health must fail the moment SIGTERM arrives, before any other service starts stopping.
            _stoppingRegistration = _lifetime.ApplicationStopping.Register(() => BeginShutdown());
        }
        _reloadLoop = Task.Run(() => ReloadLoopAsync(_stopping.Token), CancellationToken.None);
        if (_lifetime is not null && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
        {
            // SIGUSR1 reloads at once, as in CoreDNS (Linux numbers it 10, macOS 30).
            var usr1 = (PosixSignal)(OperatingSystem.IsLinux() ? 10 : 30);
            _usr1 = PosixSignalRegistration.Create(usr1, context =>
            {
                context.Cancel = true;
                LogSignalReload(_logger);
                _ = ReloadOnSignalAsync();
            });
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _usr1?.Dispose();
        BeginShutdown();
        await _stopping.CancelAsync().ConfigureAwait(false);
        var lifecycle = LifecycleSettings.Of(Server.Pipeline);
        if (lifecycle.Lameduck > TimeSpan.Zero)
        {
            await LameduckAsync(lifecycle, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await _reloadLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        // Drain even when the host's own token is already cancelled (lameduck cut short): bounded by the drain time.
        await Server.StopAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
        if (Services.Shutdown.LateQueries.Count > 0)
        {
            LogLateQueries(_logger, Services.Shutdown.LateQueries.Count);
        }
        LogStopped(_logger);
    }

    /// <summary>
    /// Keeps answering after SIGTERM. Where the replica found itself in its Service's endpoints, until it has left
    /// them and the rotation grace has passed (bounded by lameduck); elsewhere for the whole lameduck, as CoreDNS.
    /// </summary>
    private async Task LameduckAsync(LifecycleSettings lifecycle, CancellationToken hostToken)
    {
        var lameduck = lifecycle.Lameduck;
        if (lifecycle.Rotation is not { KnowsItself: true } rotation)
        {
            LogLameduck(_logger, lameduck.TotalSeconds);
            try
            {
                await Task.Delay(lameduck, hostToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                LogLameduckCut(_logger);
            }
            return;
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(hostToken);
        bound.CancelAfter(lameduck);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        LogLameduckUntilOutOfRotation(_logger, rotation.Description, lameduck.TotalSeconds);
        bool left = false;
        try
        {
            await rotation.WaitUntilOutOfRotationAsync(bound.Token).ConfigureAwait(false);
            left = true;
            LogLeftRotation(_logger, rotation.Description, clock.Elapsed.TotalSeconds, lifecycle.RotationGrace.TotalSeconds);
            await Task.Delay(lifecycle.RotationGrace, bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!hostToken.IsCancellationRequested)
        {
            // The lameduck bound: either still in rotation, or it left too late for the whole grace.
            if (!left)
            {
                LogStillInRotation(_logger, rotation.Description, lameduck.TotalSeconds);
            }
        }
        catch (OperationCanceledException)
        {
            LogLameduckCut(_logger);
        }
        if (left)
        {
            // Whatever arrives from now until the listeners close is traffic kube-proxy still sent here.
            Services.Shutdown.LateQueries.Start();
        }
    }

    /// <summary>Health answers 503 from now on; queries are still answered until <see cref="StopAsync"/> drains.</summary>
    public void BeginShutdown()
    {
        if (Services.Shutdown.Begin())
        {
            LogShutdownBegun(_logger);
        }
    }

    /// <summary>
    /// One reload check: if the Corefile or an import changed, build the new pipeline and swap it in under running
    /// listeners. A broken file is logged with file:line, counted once in <c>coredns_reload_failed_total</c>, and
    /// the running pipeline keeps serving.
    /// </summary>
    public async Task<ReloadOutcome> ReloadAsync(CancellationToken cancellationToken)
    {
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = Server.Pipeline;
            string hash;
            try
            {
                hash = CorefileLoader.Hash(_options.CorefilePath);
            }
            catch (CorefileException exception)
            {
                return Fail(RawKey(), exception.Message, null);
            }
            if (current is not null && hash == current.ContentHash)
            {
                _lastFailedKey = null;
                return ReloadOutcome.Unchanged;
            }
            if (hash == _lastFailedKey)
            {
                return ReloadOutcome.Unchanged;
            }

            ServerPipeline next;
            try
            {
                next = _loader.Load(_options.CorefilePath, _options.Port);
            }
            catch (CorefileException exception)
            {
                return Fail(hash, exception.Message, null);
            }
            catch (Exception exception) when (exception is FormatException or ArgumentException or IOException or InvalidOperationException)
            {
                return Fail(hash, $"{_options.CorefilePath}: {exception.Message}", exception);
            }
            try
            {
                await Server.ReplaceAsync(next, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return Fail(hash, $"{_options.CorefilePath}: the new configuration could not start: {exception.Message}", exception);
            }
            _lastFailedKey = null;
            Services.PublishRunning(next);
            LogReloaded(_logger, _options.CorefilePath, hash[..16]);
            return ReloadOutcome.Reloaded;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    private ReloadOutcome Fail(string? key, string message, Exception? exception)
    {
        if (key is not null && key == _lastFailedKey)
        {
            return ReloadOutcome.Unchanged;
        }
        _lastFailedKey = key;
        Services.ReloadFailed.Inc();
        LogReloadFailed(_logger, exception, message);
        return ReloadOutcome.Failed;
    }

    /// <summary>A key for a file that does not even parse: the hash of its bytes, so the same broken file is reported once.</summary>
    private string? RawKey()
    {
        try
        {
            return "raw:" + Convert.ToHexStringLower(SHA512.HashData(File.ReadAllBytes(_options.CorefilePath)));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "unreadable:" + exception.Message;
        }
    }

    private async Task ReloadOnSignalAsync()
    {
        try
        {
            await ReloadAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: nothing to reload.
        }
    }

    private async Task ReloadLoopAsync(CancellationToken cancellationToken)
    {
        var random = new Random();
        while (!cancellationToken.IsCancellationRequested && LifecycleSettings.Of(Server.Pipeline).Reload is { } schedule)
        {
            try
            {
                await Task.Delay(schedule.NextDelay(random), cancellationToken).ConfigureAwait(false);
                await ReloadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception exception)
            {
                // A reload must never end the reload loop: the old configuration keeps serving and we try again.
                LogReloadLoopFault(_logger, exception);
            }
        }
    }

    [LoggerMessage(EventId = 409, Level = LogLevel.Error, Message = "Reload failed unexpectedly; the previous configuration keeps serving")]
    private static partial void LogReloadLoopFault(ILogger logger, Exception exception);

    public async ValueTask DisposeAsync()
    {
        await _stoppingRegistration.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        await Server.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Serving from {Corefile}")]
    private static partial void LogStarting(ILogger logger, string corefile);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Reloaded {Corefile} (sha512 {Hash}…)")]
    private static partial void LogReloaded(ILogger logger, string corefile, string hash);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "Corefile changed but reload failed, still serving the previous configuration: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, Exception? exception, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Shutting down: /health now answers 503")]
    private static partial void LogShutdownBegun(ILogger logger);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "Lameduck: still answering queries for {Seconds}s")]
    private static partial void LogLameduck(ILogger logger, double seconds);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "Lameduck cut short by the host's shutdown timeout")]
    private static partial void LogLameduckCut(ILogger logger);

    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Lameduck: answering until {Replica} leaves rotation (at most {Seconds}s)")]
    private static partial void LogLameduckUntilOutOfRotation(ILogger logger, string replica, double seconds);

    [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "Lameduck: {Replica} left rotation after {Elapsed:0.0}s; answering {Grace}s more for every node to see it")]
    private static partial void LogLeftRotation(ILogger logger, string replica, double elapsed, double grace);

    [LoggerMessage(EventId = 422, Level = LogLevel.Warning, Message = "Lameduck: {Replica} still in rotation after {Seconds}s; stopping anyway")]
    private static partial void LogStillInRotation(ILogger logger, string replica, double seconds);

    [LoggerMessage(EventId = 423, Level = LogLevel.Warning, Message = "Lameduck: {Count} queries arrived after leaving rotation (coredns_lameduck_late_queries_total); raise health's rotation_grace")]
    private static partial void LogLateQueries(ILogger logger, long count);

    [LoggerMessage(EventId = 407, Level = LogLevel.Information, Message = "SIGUSR1: checking the Corefile now")]
    private static partial void LogSignalReload(ILogger logger);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "Stopped: listeners drained")]
    private static partial void LogStopped(ILogger logger);
}
