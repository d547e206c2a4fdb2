using System.Net;
using System.Net.Sockets;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// DNS over UDP on one address and port. Several dedicated threads run blocking receives on one socket
/// (measured here: far cheaper than asynchronous completions at these rates) and answer in place. On Linux
/// each thread takes and sends datagrams in batches (<see cref="UdpBatch"/>: recvmmsg/sendmmsg), elsewhere one
/// at a time.
/// </summary>
public sealed partial class UdpListener : IDnsListener
{
    private readonly QueryProcessor _processor;
    private readonly QueryContextPool _pool;
    private readonly ILogger _logger;
    private readonly int _loops;
    private readonly Socket _socket;
    private readonly bool _batched;
    private readonly List<Thread> _threads = new();
    private volatile bool _stopping;
    private int _pending;

    /// <summary>Pause after a receive error that is not about one datagram, so a persistent one does not spin.</summary>
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(10);

    /// <summary>Receive threads of a listener that has the port to itself.</summary>
    public static int DefaultLoops => Math.Max(2, Environment.ProcessorCount);

    /// <param name="batched">Use recvmmsg/sendmmsg where supported (false: one datagram per system call).</param>
    public UdpListener(IPEndPoint endPoint, QueryProcessor processor, QueryContextPool pool, ILogger logger, int loops = 0,
        int receiveBufferBytes = 4 << 20, bool reusePort = false, bool batched = true)
    {
        _processor = processor;
        _pool = pool;
        _logger = logger;
        _loops = loops > 0 ? loops : DefaultLoops;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            _socket.DualMode = true;
        }
        _socket.ReceiveBufferSize = receiveBufferBytes;
        _socket.SendBufferSize = receiveBufferBytes;
        if (reusePort)
        {
            ReusePort.Enable(_socket);
        }
        _socket.Bind(endPoint);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _batched = batched && UdpBatch.IsSupported;
        if (_batched)
        {
            // A blocked batch receive wakes at least this often to notice a stop.
            UdpBatch.SetReceiveTimeout(_socket, TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>The receive threads (tests check that stopping ends them).</summary>
    internal IReadOnlyList<Thread> ReceiveThreads => _threads;

    /// <summary>True when the receive threads use recvmmsg/sendmmsg.</summary>
    public bool IsBatched => _batched;

    public IPEndPoint LocalEndPoint { get; }

    public string Protocol => "udp";

    public void Start()
    {
        for (int i = 0; i < _loops; i++)
        {
            var thread = new Thread(_batched ? ReceiveBatchLoop : ReceiveLoop) { IsBackground = true, Name = $"dns-udp-{LocalEndPoint.Port}-{i}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    private void ReceiveLoop()
    {
        var context = RentContext();
        while (!_stopping)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(context.Buffer, SocketFlags.None, context.RemoteAddress);
            }
            catch (SocketException exception) when (!_stopping && IsTransient(exception.SocketErrorCode))
            {
                // ICMP port unreachable from an earlier reply, or a message larger than the buffer: skip it.
                continue;
            }
            catch (Exception) when (_stopping)
            {
                break;
            }
            catch (Exception exception)
            {
                LogReceiveFailed(_logger, exception, LocalEndPoint);
                Thread.Sleep(ErrorBackoff);
                continue;
            }

            if (TryAnswerNow(ref context, received))
            {
                Send(context);
            }
        }
        _pool.Return(context);
    }

    private void ReceiveBatchLoop()
    {
        using var batch = new UdpBatch();
        var context = RentContext();
        var handle = _socket.SafeHandle;
        while (!_stopping)
        {
            int received;
            SocketError error;
            try
            {
                received = batch.Receive(handle, out error);
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            if (_stopping)
            {
                break; // closing wakes a blocked receive with an empty datagram: not a query
            }
            if (received < 0)
            {
                if (error == SocketError.OperationAborted)
                {
                    break;
                }
                if (!IsTransient(error))
                {
                    LogReceiveFailed(_logger, new SocketException((int)error), LocalEndPoint);
                    Thread.Sleep(ErrorBackoff);
                }
                continue;
            }
            for (int i = 0; i < received; i++)
            {
                if (batch.WasTruncated(i))
                {
                    continue; // longer than any query we answer
                }
                var datagram = batch.Datagram(i);
                datagram.CopyTo(context.Buffer);
                batch.CopySender(i, context.RemoteAddress);
                if (TryAnswerNow(ref context, datagram.Length) && context.ResponseLength > 0)
                {
                    batch.QueueReply(i, context.Response);
                }
            }
            batch.SendQueued(handle);
        }
        _pool.Return(context);
    }

    /// <summary>
    /// Runs the query of <paramref name="length"/> bytes in <paramref name="context"/>'s buffer. True when its answer
    /// (possibly none) is ready now. False when there is nothing to send now: the query failed, or it waits on the
    /// network and took the context with it (it sends its own answer), and <paramref name="context"/> is a fresh one.
    /// </summary>
    private bool TryAnswerNow(ref DnsQueryContext context, int length)
    {
        context.Reset(length, TransportKind.Udp);
        context.LocalPort = LocalEndPoint.Port;
        context.LocalAddress = LocalEndPoint.Address;
        ValueTask processing;
        try
        {
            processing = _processor.ProcessAsync(context);
        }
        catch (Exception exception)
        {
            // The processor already turns handler faults into SERVFAIL; this is the last line.
            LogReceiveFailed(_logger, exception, LocalEndPoint);
            return false;
        }
        if (processing.IsCompletedSuccessfully)
        {
            return true;
        }
        Interlocked.Increment(ref _pending);
        _ = CompleteLaterAsync(processing, context);
        context = RentContext();
        return false;
    }

    private async Task CompleteLaterAsync(ValueTask processing, DnsQueryContext context)
    {
        try
        {
            await processing.ConfigureAwait(false);
            Send(context);
        }
        catch (Exception exception)
        {
            LogReceiveFailed(_logger, exception, LocalEndPoint);
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            _pool.Return(context);
        }
    }

    private void Send(DnsQueryContext context)
    {
        if (context.ResponseLength == 0)
        {
            return;
        }
        try
        {
            _socket.SendTo(context.Response, SocketFlags.None, context.RemoteAddress);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // The client is gone or we are stopping; UDP has no one to tell.
        }
    }

    private DnsQueryContext RentContext()
    {
        var context = _pool.Rent();
        var family = _socket.AddressFamily;
        if (context.RemoteAddress.Family != family)
        {
            context.RemoteAddress = new SocketAddress(family);
        }
        return context;
    }

    private static bool IsTransient(SocketError error) =>
        error is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize or SocketError.NetworkReset or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.Interrupted;

    /// <summary>Stops receiving; queries still waiting on the network get up to <paramref name="drain"/> to finish.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        _stopping = true;
        var deadline = DateTime.UtcNow + drain;
        while (Volatile.Read(ref _pending) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
        _socket.Close();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "UDP listener {EndPoint}: receive or send failed")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception, IPEndPoint endPoint);
}
