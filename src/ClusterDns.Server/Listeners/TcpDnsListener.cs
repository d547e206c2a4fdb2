using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// DNS over TCP (RFC 7766): two-byte length framing, several queries per connection answered as they
/// complete (each with its own ID), an idle timeout and a connection limit.
/// </summary>
public sealed partial class TcpDnsListener : IDnsListener
{
    private readonly QueryProcessor _processor;
    private readonly QueryContextPool _pool;
    private readonly ILogger _logger;
    private readonly TcpListenerOptions _options;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _connections;

    public TcpDnsListener(IPEndPoint endPoint, QueryProcessor processor, QueryContextPool pool, ILogger logger, TcpListenerOptions? options = null, bool reusePort = false)
    {
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

    public string Protocol => "tcp";

    /// <summary>Open connections now (for tests and metrics).</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

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
        var connection = new TcpConnection(client, _options.MaxInFlightPerConnection, _options.WriteTimeout);
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

    private async Task CompleteLaterAsync(ValueTask processing, DnsQueryContext context, TcpConnection connection)
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

    /// <summary>One client connection: framed reads with timeouts, and serialised framed writes.</summary>
    private sealed class TcpConnection : IResponseStream
    {
        private readonly Socket _socket;
        private readonly byte[] _lengthPrefix = new byte[2];
        private readonly byte[] _sendBuffer = new byte[DnsQueryContext.BufferSize + 2];
        private readonly SemaphoreSlim _writeLock = new(1, 1);

        public TcpConnection(Socket socket, int maxInFlight, TimeSpan writeTimeout)
        {
            _socket = socket;
            _writeTimeout = writeTimeout;
            InFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
            PeerAddress = socket.RemoteEndPoint?.Serialize() ?? new SocketAddress(socket.AddressFamily);
        }

        private readonly TimeSpan _writeTimeout;

        /// <summary>The client's address, as sockets store it.</summary>
        public SocketAddress PeerAddress { get; }

        public SemaphoreSlim InFlight { get; }

        /// <summary>The next frame's length, or -1 at end of stream or idle timeout.</summary>
        public async ValueTask<int> ReadFrameLengthAsync(TimeSpan timeout, CancellationToken stopping)
        {
            if (!await ReadExactlyAsync(_lengthPrefix, timeout, stopping).ConfigureAwait(false))
            {
                return -1;
            }
            return BinaryPrimitives.ReadUInt16BigEndian(_lengthPrefix);
        }

        public async ValueTask<bool> ReadExactlyAsync(Memory<byte> destination, TimeSpan timeout, CancellationToken stopping)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            deadline.CancelAfter(timeout);
            int read = 0;
            try
            {
                while (read < destination.Length)
                {
                    int n = await _socket.ReceiveAsync(destination[read..], SocketFlags.None, deadline.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        return false;
                    }
                    read += n;
                }
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public ValueTask WriteResponseAsync(DnsQueryContext context, CancellationToken stopping) =>
            context.ResponseLength == 0 ? default : WriteFrameAsync(context.Buffer.AsMemory(0, context.ResponseLength), stopping);

        /// <summary>
        /// One message of a multi-message answer (a zone transfer), under the same write lock and timeout as any
        /// response: a transfer to a client that stops reading is cut when a message waits longer than the write
        /// timeout, so it cannot keep the zone snapshot it streams from.
        /// </summary>
        public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> message)
        {
            try
            {
                await WriteFrameAsync(message, CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                Abort();
                return false;
            }
        }

        private async ValueTask WriteFrameAsync(ReadOnlyMemory<byte> message, CancellationToken stopping)
        {
            int length = message.Length;
            // A client that sends but never reads must not hold its slot forever: writes time out too.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            deadline.CancelAfter(_writeTimeout);
            stopping = deadline.Token;
            await _writeLock.WaitAsync(stopping).ConfigureAwait(false);
            try
            {
                BinaryPrimitives.WriteUInt16BigEndian(_sendBuffer, (ushort)length);
                message.Span.CopyTo(_sendBuffer.AsSpan(2));
                int sent = 0;
                while (sent < length + 2)
                {
                    sent += await _socket.SendAsync(_sendBuffer.AsMemory(sent, length + 2 - sent), SocketFlags.None, stopping).ConfigureAwait(false);
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }

        /// <summary>Waits for queries still being answered before the connection closes.</summary>
        public async Task DrainAsync(int maxInFlight, TimeSpan timeout)
        {
            for (int i = 0; i < maxInFlight; i++)
            {
                if (!await InFlight.WaitAsync(timeout).ConfigureAwait(false))
                {
                    return;
                }
            }
        }

        /// <summary>Resets the connection (linger 0): what is still queued for a client that stopped reading is dropped, not kept sending.</summary>
        private void Abort()
        {
            try
            {
                _socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception)
            {
                // Already closed.
            }
            _socket.Close();
        }

        public void Close()
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception)
            {
                // Already reset.
            }
            _socket.Close();
        }
    }
}
