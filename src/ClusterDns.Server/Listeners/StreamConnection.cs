using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// One client connection of a stream listener (TCP, or TLS over TCP): RFC 7766 framed reads with timeouts, and
/// serialised framed writes. The stream is the socket's own, or an <see cref="System.Net.Security.SslStream"/> over it.
/// </summary>
internal sealed class StreamConnection : IResponseStream
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly byte[] _lengthPrefix = new byte[2];
    private readonly byte[] _sendBuffer = new byte[DnsQueryContext.BufferSize + 2];
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TimeSpan _writeTimeout;

    public StreamConnection(Socket socket, Stream stream, int maxInFlight, TimeSpan writeTimeout)
    {
        _socket = socket;
        _stream = stream;
        _writeTimeout = writeTimeout;
        InFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        PeerAddress = socket.RemoteEndPoint?.Serialize() ?? new SocketAddress(socket.AddressFamily);
    }

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
                int n = await _stream.ReadAsync(destination[read..], deadline.Token).ConfigureAwait(false);
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
            // One write of prefix and message: one TCP segment, one TLS record.
            BinaryPrimitives.WriteUInt16BigEndian(_sendBuffer, (ushort)length);
            message.Span.CopyTo(_sendBuffer.AsSpan(2));
            await _stream.WriteAsync(_sendBuffer.AsMemory(0, length + 2), stopping).ConfigureAwait(false);
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
        _stream.Dispose();
        _socket.Close();
    }
}
