using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// One client connection of a stream listener (TCP, or TLS over TCP): RFC 7766 framed reads with timeouts, and
/// serialised framed writes. The stream is the socket's own, or an <see cref="System.Net.Security.SslStream"/> over it.
/// </summary>
internal sealed class StreamConnection
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

    public async ValueTask WriteResponseAsync(DnsQueryContext context, CancellationToken stopping)
    {
        int length = context.ResponseLength;
        if (length == 0)
        {
            return;
        }
        // A client that sends but never reads must not hold its slot forever: writes time out too.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(_writeTimeout);
        stopping = deadline.Token;
        await _writeLock.WaitAsync(stopping).ConfigureAwait(false);
        try
        {
            // One write of prefix and message: one TCP segment, one TLS record.
            BinaryPrimitives.WriteUInt16BigEndian(_sendBuffer, (ushort)length);
            context.Response.CopyTo(_sendBuffer.AsSpan(2));
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
