using System.Net;
using System.Net.Sockets;
using ClusterDns.Server.Config;
using ClusterDns.Server.Listeners;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server;

/// <summary>
/// Runs a <see cref="ServerPipeline"/>: its components, and UDP and TCP listeners on every port it names.
/// A new pipeline with the same ports is swapped in under running listeners, so no query is lost on reload.
/// </summary>
public sealed partial class DnsServer : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Dictionary<int, PortRuntime> _ports = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ServerPipeline? _pipeline;

    public DnsServer(ILoggerFactory loggerFactory, IQueryObserver? observer = null)
    {
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<DnsServer>();
        Observer = observer ?? NullQueryObserver.Instance;
    }

    public IQueryObserver Observer { get; }

    /// <summary>The process's shutdown state: every query is noted there, so lameduck can count late ones.</summary>
    public ShutdownState? Shutdown { get; init; }

    /// <summary>TCP connection limits for listeners started from now on (idle timeout, connection cap).</summary>
    public TcpListenerOptions TcpOptions { get; init; } = new();

    public ServerPipeline? Pipeline => Volatile.Read(ref _pipeline);

    public IEnumerable<IDnsListener> Listeners => _ports.Values.SelectMany(p => p.Listeners);

    /// <summary>True when every handler that can be not ready is ready (the <c>ready</c> plugin's answer).</summary>
    public bool IsReady => Pipeline is { } pipeline && pipeline.Readiness.All(r => r.IsReady);

    public IEnumerable<string> NotReady => Pipeline?.Readiness.Where(r => !r.IsReady).Select(r => r.Name) ?? [];

    public async Task StartAsync(ServerPipeline pipeline, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StartComponentsAsync(pipeline, cancellationToken).ConfigureAwait(false);
            (Observer as IPipelineObserver)?.OnPipelineActivated(pipeline);
            foreach (var group in pipeline.Listeners)
            {
                _ports[group.Port] = StartPort(group);
            }
            Volatile.Write(ref _pipeline, pipeline);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Replaces the running pipeline. Ports both pipelines serve keep their sockets and only swap routers;
    /// in-flight queries finish on the router they started with. Ports only the old one had are closed.
    /// </summary>
    public async Task ReplaceAsync(ServerPipeline next, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var previous = _pipeline;
            try
            {
                await StartComponentsAsync(next, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // The new pipeline does not serve: stop what of it did start, the old one keeps going.
                await StopComponentsAsync(next, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            // A new kubernetes source starts empty: keep answering from the old pipeline until the new one has
            // listed (bounded), or every reload would answer SERVFAIL for the cluster zone meanwhile.
            await WaitUntilReadyAsync(next, ReloadReadyTimeout, cancellationToken).ConfigureAwait(false);
            // Before any router swaps: the observer must know the new blocks when their first query finishes.
            (Observer as IPipelineObserver)?.OnPipelineActivated(next);
            var keep = new HashSet<int>();
            foreach (var group in next.Listeners)
            {
                if (_ports.TryGetValue(group.Port, out var running) && running.Group.Addresses.SequenceEqual(group.Addresses)
                    && running.Group.MaxUdpSize == group.MaxUdpSize && running.Group.SocketCount == group.SocketCount
                    && running.Group.Tcp == group.Tcp && running.Group.Transport == group.Transport && running.Group.Https == group.Https
                    && (running.Group.Tls is null) == (group.Tls is null))
                {
                    running.Processor.Router = group.Router;
                    running.Group = group;
                }
                else
                {
                    if (running is not null)
                    {
                        await running.StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                    }
                    _ports[group.Port] = StartPort(group);
                }
                keep.Add(group.Port);
            }
            foreach (var port in _ports.Keys.Where(p => !keep.Contains(p)).ToArray())
            {
                await _ports[port].StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                _ports.Remove(port);
            }
            Volatile.Write(ref _pipeline, next);
            if (previous is not null)
            {
                // Queries that started on the old pipeline (a forward waiting upstream) finish on it: its
                // components stop after a grace period, not under their feet.
                _retiring.Add(StopComponentsLaterAsync(previous, RetireGrace));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How long a reload waits for the new pipeline's first list before swapping anyway.</summary>
    public TimeSpan ReloadReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a replaced pipeline keeps its components for queries still in flight on it.</summary>
    public TimeSpan RetireGrace { get; init; } = TimeSpan.FromSeconds(10);

    private readonly List<Task> _retiring = new();

    private static async Task WaitUntilReadyAsync(ServerPipeline pipeline, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!pipeline.Readiness.All(r => r.IsReady) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StopComponentsLaterAsync(ServerPipeline pipeline, TimeSpan grace)
    {
        try
        {
            await Task.Delay(grace, _disposing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: stop them now.
        }
        await StopComponentsAsync(pipeline, CancellationToken.None).ConfigureAwait(false);
    }

    private readonly CancellationTokenSource _disposing = new();

    /// <summary>Stops listening; queries already waiting on upstreams get up to <paramref name="drain"/>.</summary>
    public async Task StopAsync(TimeSpan drain, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var port in _ports.Values)
            {
                await port.StopAsync(drain).ConfigureAwait(false);
            }
            _ports.Clear();
            await _disposing.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_retiring).ConfigureAwait(false);
            if (_pipeline is not null)
            {
                await StopComponentsAsync(_pipeline, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private PortRuntime StartPort(ListenerGroup group)
    {
        var processor = new QueryProcessor(group.Router, Observer, _loggerFactory.CreateLogger<QueryProcessor>()) { LateQueries = Shutdown?.LateQueries };
        var pool = new QueryContextPool(group.MaxUdpSize);
        var runtime = new PortRuntime(group, processor);
        var addresses = group.Addresses.Count > 0 ? group.Addresses : [Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any];
        try
        {
            var tcpOptions = TcpOptionsFor(group.Tcp);
            bool reusePort = group.SocketCount > 1;
            // Receive threads are shared out over the sockets: one socket keeps the default, N sockets get at least one each.
            int loopsPerSocket = reusePort ? Math.Max(1, (UdpListener.DefaultLoops + group.SocketCount - 1) / group.SocketCount) : 0;
            var transportObserver = Observer as ITransportObserver;
            foreach (var address in addresses)
            {
                switch (group.Transport)
                {
                    case ServerTransport.Tls:
                        // The port's credentials as of now: a reload that keeps the port swaps Group, and with it the certificate.
                        OpenSockets(address, e => new TcpDnsListener(e, processor, pool, _loggerFactory.CreateLogger<TcpDnsListener>(), tcpOptions, reusePort,
                            () => runtime.Group.Tls!.ForDot, transportObserver));
                        break;
                    case ServerTransport.Https:
                        runtime.Listeners.Add(new DohListener(new IPEndPoint(address, group.Port), processor, pool, new Http.FrameworkLogFilter(_loggerFactory),
                            DohOptionsFor(group), group.Tls is null ? null : () => runtime.Group.Tls!.ForDoh, transportObserver));
                        break;
                    default:
                        OpenSockets(address, e => new UdpListener(e, processor, pool, _loggerFactory.CreateLogger<UdpListener>(), loopsPerSocket, reusePort: reusePort));
                        OpenSockets(address, e => new TcpDnsListener(e, processor, pool, _loggerFactory.CreateLogger<TcpDnsListener>(), tcpOptions, reusePort));
                        break;
                }
            }
        }
        catch
        {
            // One socket could not bind: close the ones that did rather than leak them.
            foreach (var listener in runtime.Listeners)
            {
                listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            throw;
        }
        foreach (var listener in runtime.Listeners)
        {
            listener.Start();
            LogListening(_logger, listener.Protocol, listener.LocalEndPoint);
        }
        return runtime;

        // SocketCount sockets of one protocol on one address. Port 0 (tests): the first gets a port, the rest join it.
        void OpenSockets(IPAddress address, Func<IPEndPoint, IDnsListener> create)
        {
            var endPoint = new IPEndPoint(address, group.Port);
            for (int socket = 0; socket < group.SocketCount; socket++)
            {
                var listener = CreateWithFallback(endPoint, create);
                runtime.Listeners.Add(listener);
                endPoint = listener.LocalEndPoint;
            }
        }
    }

    /// <summary>The server's TCP defaults with what the port's <c>timeouts</c> blocks set.</summary>
    private TcpListenerOptions TcpOptionsFor(TcpSettings settings) => TcpOptions with
    {
        ReadTimeout = settings.Read ?? TcpOptions.ReadTimeout,
        WriteTimeout = settings.Write ?? TcpOptions.WriteTimeout,
        IdleTimeout = settings.Idle ?? TcpOptions.IdleTimeout,
        MaxQueriesPerConnection = settings.MaxQueries is { } max ? Math.Max(0, max) : TcpOptions.MaxQueriesPerConnection,
    };

    /// <summary>CoreDNS's <c>https</c> limits of the port, with the read timeout the port's <c>timeouts</c> set.</summary>
    private static DohListenerOptions DohOptionsFor(ListenerGroup group) => new()
    {
        MaxConnections = group.Https.MaxConnections,
        MaxStreams = group.Https.MaxStreams,
        ReadTimeout = group.Tcp.Read ?? new DohListenerOptions().ReadTimeout,
        IdleTimeout = group.Tcp.Idle ?? new DohListenerOptions().IdleTimeout,
    };

    /// <summary>Binding "every address" falls back to IPv4 where IPv6 is disabled (some network namespaces).</summary>
    private static IDnsListener CreateWithFallback(IPEndPoint endPoint, Func<IPEndPoint, IDnsListener> create)
    {
        try
        {
            return create(endPoint);
        }
        catch (SocketException) when (endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            return create(new IPEndPoint(IPAddress.Any, endPoint.Port));
        }
    }

    private static async Task StartComponentsAsync(ServerPipeline pipeline, CancellationToken cancellationToken)
    {
        foreach (var component in pipeline.Components)
        {
            await component.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StopComponentsAsync(ServerPipeline pipeline, CancellationToken cancellationToken)
    {
        foreach (var component in pipeline.Components)
        {
            try
            {
                await component.StopAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogComponentStopFailed(_logger, exception, component.GetType().Name);
            }
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // The host disposes both the hosted service (which disposes us) and us: once is enough.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var port in _ports.Values)
        {
            foreach (var listener in port.Listeners)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }
        }
        _ports.Clear();
        await _disposing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_retiring).ConfigureAwait(false);
        _disposing.Dispose();
        _gate.Dispose();
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Listening on {Protocol} {EndPoint}")]
    private static partial void LogListening(ILogger logger, string protocol, IPEndPoint endPoint);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Stopping component {Component} failed")]
    private static partial void LogComponentStopFailed(ILogger logger, Exception exception, string component);

    private sealed class PortRuntime
    {
        public PortRuntime(ListenerGroup group, QueryProcessor processor)
        {
            Group = group;
            Processor = processor;
        }

        public ListenerGroup Group { get; set; }

        public QueryProcessor Processor { get; }

        public List<IDnsListener> Listeners { get; } = new();

        public async Task StopAsync(TimeSpan drain)
        {
            foreach (var listener in Listeners)
            {
                await listener.StopAsync(drain).ConfigureAwait(false);
            }
        }
    }
}
