using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// DNS over TCP (RFC 7766): two-byte length framing, several queries per connection answered as they
/// complete (each with its own ID), an idle timeout and a connection limit. Given TLS options it is DNS over
/// TLS (RFC 7858): the same framing inside TLS, the handshake bounded by the read timeout.
/// </summary>
public sealed partial class TcpDnsListener : IDnsListener
{
    private readonly QueryProcessor _processor;
    private readonly QueryContextPool _pool;
    private readonly ILogger _logger;
    private readonly TcpListenerOptions _options;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<SslServerAuthenticationOptions>? _tls;
    private readonly ITransportObserver? _transportObserver;
    private Task _acceptLoop = Task.CompletedTask;
    private int _connections;
    private long _handshakeFailures;

    /// <param name="tls">The handshake options, read per connection (certificates rotate); null for plain TCP.</param>
    public TcpDnsListener(IPEndPoint endPoint, QueryProcessor processor, QueryContextPool pool, ILogger logger, TcpListenerOptions? options = null, bool reusePort = false,
        Func<SslServerAuthenticationOptions>? tls = null, ITransportObserver? transportObserver = null)
    {
        _tls = tls;
        _transportObserver = transportObserver;
        _processor = processor;
        _pool = pool;
        _logger = logger;
        _options = options ?? new TcpListenerOptions();
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            _socket.DualMode = true;
        }
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        if (reusePort)
        {
            ReusePort.Enable(_socket);
        }
        _socket.Bind(endPoint);
        _socket.Listen(512);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public string Protocol => _tls is null ? "tcp" : "tls";

    /// <summary>Open connections now (for tests and metrics).</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>TLS handshakes that failed, timed out or were refused since start.</summary>
    public long HandshakeFailures => Interlocked.Read(ref _handshakeFailures);

    public void Start() => _acceptLoop = AcceptLoopAsync();

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // A connection reset before we accepted it: nothing to do.
                continue;
            }
            catch (SocketException exception)
            {
                // Out of descriptors or buffers (EMFILE, ENOBUFS): do not spin; let connections close first.
                LogAcceptFailed(_logger, exception, LocalEndPoint);
                try
                {
                    await Task.Delay(100, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            if (Interlocked.Increment(ref _connections) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                LogConnectionLimit(_logger, LocalEndPoint, _options.MaxConnections);
                client.Close(0);
                continue;
            }
            client.NoDelay = true;
            _ = ServeConnectionAsync(client);
        }
    }

    private async Task ServeConnectionAsync(Socket client)
    {
        var stream = await OpenStreamAsync(client).ConfigureAwait(false);
        if (stream is null)
        {
            client.Close(0);
            Interlocked.Decrement(ref _connections);
            return;
        }
        var connection = new StreamConnection(client, stream, _options.MaxInFlightPerConnection, _options.WriteTimeout);
        try
        {
            int served = 0;
            while (!_stopping.IsCancellationRequested)
            {
                // As CoreDNS (miekg/dns): the first query gets the read timeout, later ones the idle timeout.
                var wait = served == 0 ? _options.ReadTimeout : _options.IdleTimeout;
                int length = await connection.ReadFrameLengthAsync(wait, _stopping.Token).ConfigureAwait(false);
                if (length <= 0)
                {
                    // Closed by the peer, idle too long, or a zero-length frame (not a message): close.
                    break;
                }
                await connection.InFlight.WaitAsync(_stopping.Token).ConfigureAwait(false);
                var context = _pool.Rent();
                bool handedOff = false;
                try
                {
                    if (!await connection.ReadExactlyAsync(context.Buffer.AsMemory(0, length), _options.ReadTimeout, _stopping.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                    // The peer's address, serialised once per connection, copied into the pooled context.
                    var peer = connection.PeerAddress;
                    if (context.RemoteAddress.Family != peer.Family || context.RemoteAddress.Size != peer.Size)
                    {
                        context.RemoteAddress = new SocketAddress(peer.Family, peer.Size);
                    }
                    peer.Buffer.Span.CopyTo(context.RemoteAddress.Buffer.Span);
                    context.Reset(length, TransportKind.Tcp);
                    context.ResponseStream = connection;
                    context.LocalPort = LocalEndPoint.Port;
                    context.LocalAddress = LocalEndPoint.Address;
                    var processing = _processor.ProcessAsync(context);
                    if (processing.IsCompletedSuccessfully)
                    {
                        await connection.WriteResponseAsync(context, _stopping.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        // Answer this one when it completes; keep reading the next queries meanwhile.
                        handedOff = true;
                        _ = CompleteLaterAsync(processing, context, connection);
                    }
                }
                finally
                {
                    if (!handedOff)
                    {
                        connection.InFlight.Release();
                        _pool.Return(context);
                    }
                }
                served = served == int.MaxValue ? served : served + 1;
                if (_options.MaxQueriesPerConnection > 0 && served >= _options.MaxQueriesPerConnection)
                {
                    break;
                }
            }
            await connection.DrainAsync(_options.MaxInFlightPerConnection, _options.WriteTimeout).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Resets and shutdowns end a connection; they are not errors of the server.
        }
        catch (Exception exception)
        {
            LogConnectionFailed(_logger, exception, LocalEndPoint);
        }
        finally
        {
            connection.Close();
            Interlocked.Decrement(ref _connections);
        }
    }

    /// <summary>The connection's stream: the socket's own, or TLS after a handshake bounded by the read timeout (null: failed).</summary>
    private async ValueTask<Stream?> OpenStreamAsync(Socket client)
    {
        var plain = new NetworkStream(client, ownsSocket: false);
        if (_tls is null)
        {
            return plain;
        }
        var tls = new SslStream(plain, leaveInnerStreamOpen: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        deadline.CancelAfter(_options.ReadTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(_tls(), deadline.Token).ConfigureAwait(false);
            return tls;
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // A stalled client, a plain-DNS client on the TLS port, a refused client certificate: counted, closed.
            Interlocked.Increment(ref _handshakeFailures);
            _transportObserver?.OnTlsHandshakeFailed(LocalEndPoint.Port);
            await tls.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }

    private async Task CompleteLaterAsync(ValueTask processing, DnsQueryContext context, StreamConnection connection)
    {
        try
        {
            await processing.ConfigureAwait(false);
            await connection.WriteResponseAsync(context, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (Exception exception)
        {
            LogConnectionFailed(_logger, exception, LocalEndPoint);
        }
        finally
        {
            connection.InFlight.Release();
            _pool.Return(context);
        }
    }

    public async Task StopAsync(TimeSpan drain)
    {
        _socket.Close();
        var deadline = DateTime.UtcNow + drain;
        while (Volatile.Read(ref _connections) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "TCP listener {EndPoint}: connection limit {Limit} reached; closing a new connection")]
    private static partial void LogConnectionLimit(ILogger logger, IPEndPoint endPoint, int limit);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "TCP listener {EndPoint}: accept failed; retrying shortly")]
    private static partial void LogAcceptFailed(ILogger logger, Exception exception, IPEndPoint endPoint);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "TCP listener {EndPoint}: connection failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception, IPEndPoint endPoint);
}
