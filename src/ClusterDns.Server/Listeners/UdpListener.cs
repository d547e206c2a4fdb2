using System.Net;
using System.Net.Sockets;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// DNS over UDP on one address and port. Several dedicated threads run blocking receives on one socket
/// (measured here: far cheaper than asynchronous completions at these rates) and answer in place.
/// </summary>
public sealed partial class UdpListener : IDnsListener
{
    private readonly QueryProcessor _processor;
    private readonly QueryContextPool _pool;
    private readonly ILogger _logger;
    private readonly int _loops;
    private readonly Socket _socket;
    private readonly List<Thread> _threads = new();
    private volatile bool _stopping;
    private int _pending;

    public UdpListener(IPEndPoint endPoint, QueryProcessor processor, QueryContextPool pool, ILogger logger, int loops = 0, int receiveBufferBytes = 4 << 20)
    {
        _processor = processor;
        _pool = pool;
        _logger = logger;
        _loops = loops > 0 ? loops : Math.Max(2, Environment.ProcessorCount);
        _socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            _socket.DualMode = true;
        }
        _socket.ReceiveBufferSize = receiveBufferBytes;
        _socket.SendBufferSize = receiveBufferBytes;
        _socket.Bind(endPoint);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public string Protocol => "udp";

    public void Start()
    {
        for (int i = 0; i < _loops; i++)
        {
            var thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"dns-udp-{LocalEndPoint.Port}-{i}" };
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
                continue;
            }

            context.Reset(received, TransportKind.Udp);
            context.LocalPort = LocalEndPoint.Port;
            ValueTask processing;
            try
            {
                processing = _processor.ProcessAsync(context);
            }
            catch (Exception exception)
            {
                // The processor already turns handler faults into SERVFAIL; this is the last line.
                LogReceiveFailed(_logger, exception, LocalEndPoint);
                continue;
            }
            if (processing.IsCompletedSuccessfully)
            {
                Send(context);
                continue;
            }
            // The query waits on the network: let it finish on its own context and take a fresh one.
            Interlocked.Increment(ref _pending);
            _ = CompleteLaterAsync(processing, context);
            context = RentContext();
        }
        _pool.Return(context);
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
        error is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.NetworkReset or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.Interrupted;

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
