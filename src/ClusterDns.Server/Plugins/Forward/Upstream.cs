using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Security.Cryptography;
using ClusterDns.Protocol;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// One upstream server: exchanges a query with it over UDP (a fresh connected socket, so a random source port,
/// and the kernel drops datagrams from any other address), TCP (connections kept for reuse until
/// <see cref="ForwardOptions.Expire"/>, one query at a time each), TLS (one pipelined connection,
/// <see cref="TlsPipeline"/>) or HTTPS (<see cref="DohClient"/>), and tracks its health: <see cref="ForwardOptions.MaxFails"/> failures in a
/// row mark it down, and a probe (<c>. IN NS</c>) every <see cref="ForwardOptions.HealthCheckInterval"/> brings it back
/// on the first reply of any kind.
/// </summary>
internal sealed partial class Upstream : IAsyncDisposable
{
    private readonly ForwardOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<IdleConnection> _idle = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly DohClient? _doh;
    private readonly TlsPipeline? _tls;
    private int _fails;
    private int _probing;
    private long _connectionReuses;
    private long _connectionOpens;

    public Upstream(UpstreamAddress address, ForwardOptions options, ILogger logger)
    {
        Address = address;
        _options = options;
        _logger = logger;
        if (address.Tls)
        {
            _tls = new TlsPipeline(options, OpenStreamAsync);
        }
        if (address.Https)
        {
            _doh = new DohClient(address, options, socket =>
            {
                Interlocked.Increment(ref _connectionOpens);
                BindSource(socket);
            });
        }
    }

    public UpstreamAddress Address { get; }

    /// <summary>This upstream's metric series; set once at setup (null in handler-only tests).</summary>
    public UpstreamMetrics? Metrics { get; set; }

    private bool HealthChecking => _options.MaxFails > 0 && _options.HealthCheckInterval > TimeSpan.Zero;

    /// <summary>Marked down: skipped while another upstream is up.</summary>
    public bool IsDown => HealthChecking && Volatile.Read(ref _fails) >= _options.MaxFails;

    /// <summary>TCP/TLS exchanges that reused a kept connection (coredns_proxy_conn_cache_hits_total).</summary>
    public long ConnectionReuses => Interlocked.Read(ref _connectionReuses) + (_tls?.Reuses ?? 0);

    /// <summary>TCP/TLS/HTTPS connections opened (coredns_proxy_conn_cache_misses_total).</summary>
    public long ConnectionOpens => Interlocked.Read(ref _connectionOpens);

    public void ReportSuccess() => Volatile.Write(ref _fails, 0);

    public void ReportFailure()
    {
        int fails = Interlocked.Increment(ref _fails);
        if (HealthChecking && fails >= _options.MaxFails && Interlocked.CompareExchange(ref _probing, 1, 0) == 0)
        {
            LogMarkedDown(_logger, Address.ToString(), fails);
            _ = ProbeUntilHealthyAsync();
        }
    }

    /// <summary>
    /// Sends the query in <paramref name="framedQuery"/> (a two-byte length at 0, the message of
    /// <paramref name="length"/> bytes at 2) and waits up to <paramref name="timeout"/> for a matching reply.
    /// Returns the reply's length in <paramref name="reply"/>, or 0 when none came (timeout, refused, closed).
    /// </summary>
    public async ValueTask<int> ExchangeAsync(byte[] framedQuery, int length, int questionEnd, byte[] reply, bool tcp, TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return 0;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        deadline.CancelAfter(timeout);
        try
        {
            if (_doh is not null)
            {
                return await ExchangeHttpsAsync(framedQuery, length, questionEnd, reply, deadline.Token).ConfigureAwait(false);
            }
            if (_tls is not null)
            {
                return await _tls.ExchangeAsync(framedQuery.AsMemory(0, length + 2), questionEnd, reply, deadline.Token).ConfigureAwait(false);
            }
            return tcp
                ? await ExchangeStreamAsync(framedQuery.AsMemory(0, length + 2), questionEnd, reply, deadline.Token).ConfigureAwait(false)
                : await ExchangeUdpAsync(framedQuery.AsMemory(2, length), questionEnd, reply, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogTimeout(_logger, Address.ToString(), ProtocolName(tcp));
            return 0;
        }
        catch (Exception exception) when (exception is SocketException or IOException or AuthenticationException or ObjectDisposedException
            or InvalidDataException or HttpRequestException)
        {
            LogExchangeFailed(_logger, Address.ToString(), ProtocolName(tcp), exception.Message);
            return 0;
        }
    }

    private string ProtocolName(bool tcp) => Address.Https ? "https" : Address.Tls ? "tls" : tcp ? "tcp" : "udp";

    /// <summary>
    /// One DoH exchange. The ID is 0, as RFC 8484 section 4.1 asks (HTTP caches can then share replies); HTTP pairs the
    /// reply with its request, and the reply must still carry our question.
    /// </summary>
    private async ValueTask<int> ExchangeHttpsAsync(byte[] framedQuery, int length, int questionEnd, byte[] reply, CancellationToken cancellation)
    {
        framedQuery[2] = 0;
        framedQuery[3] = 0;
        var query = framedQuery.AsMemory(2, length);
        int received = await _doh!.ExchangeAsync(query, reply, cancellation).ConfigureAwait(false);
        if (!ReplyMatcher.Matches(reply.AsSpan(0, received), query.Span, questionEnd))
        {
            throw new InvalidDataException("the reply does not answer the query");
        }
        return received;
    }

    private async ValueTask<int> ExchangeUdpAsync(ReadOnlyMemory<byte> query, int questionEnd, byte[] reply, CancellationToken cancellation)
    {
        using var socket = new Socket(Address.EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        BindSource(socket);
        // Connecting binds a fresh ephemeral port and makes the kernel filter replies by source address.
        socket.Connect(Address.EndPoint);
        await socket.SendAsync(query, SocketFlags.None, cancellation).ConfigureAwait(false);
        while (true)
        {
            int received = await socket.ReceiveAsync(reply, SocketFlags.None, cancellation).ConfigureAwait(false);
            if (ReplyMatcher.Matches(reply.AsSpan(0, received), query.Span, questionEnd))
            {
                return received;
            }
            // Wrong ID or question: spoofed or late; keep waiting for ours until the deadline.
        }
    }

    private async ValueTask<int> ExchangeStreamAsync(ReadOnlyMemory<byte> framedQuery, int questionEnd, byte[] reply, CancellationToken cancellation)
    {
        var query = framedQuery[2..];
        while (true)
        {
            var (stream, reused, opened) = await GetConnectionAsync(cancellation).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(framedQuery, cancellation).ConfigureAwait(false);
                while (true)
                {
                    await stream.ReadExactlyAsync(reply.AsMemory(0, 2), cancellation).ConfigureAwait(false);
                    int replyLength = BinaryPrimitives.ReadUInt16BigEndian(reply);
                    await stream.ReadExactlyAsync(reply.AsMemory(0, replyLength), cancellation).ConfigureAwait(false);
                    if (ReplyMatcher.Matches(reply.AsSpan(0, replyLength), query.Span, questionEnd))
                    {
                        ReturnConnection(stream, opened);
                        return replyLength;
                    }
                }
            }
            catch (Exception exception) when (reused && !cancellation.IsCancellationRequested && exception is IOException or SocketException)
            {
                // The upstream closed a kept connection while it sat idle: retry once on a new one.
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private async ValueTask<(Stream Stream, bool Reused, long Opened)> GetConnectionAsync(CancellationToken cancellation)
    {
        long now = Stopwatch.GetTimestamp();
        while (_idle.TryDequeue(out var idle))
        {
            if (Stopwatch.GetElapsedTime(idle.Since, now) < _options.Expire && !TooOld(idle.Opened, now))
            {
                Interlocked.Increment(ref _connectionReuses);
                return (idle.Stream, true, idle.Opened);
            }
            await idle.Stream.DisposeAsync().ConfigureAwait(false);
        }
        return (await OpenStreamAsync(cancellation).ConfigureAwait(false), false, now);
    }

    /// <summary>A new TCP connection to the upstream, with the TLS handshake done for a <c>tls://</c> one.</summary>
    private async ValueTask<Stream> OpenStreamAsync(CancellationToken cancellation)
    {
        Interlocked.Increment(ref _connectionOpens);
        var socket = new Socket(Address.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            BindSource(socket);
            await socket.ConnectAsync(Address.EndPoint, cancellation).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        if (!Address.Tls)
        {
            return stream;
        }
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(_options.Tls.Create(Address), cancellation).ConfigureAwait(false);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return tls;
    }

    /// <summary>
    /// <c>source_address</c>: bind before connecting so the upstream sees that address. An address of the other
    /// family cannot send to this upstream, so the kernel's choice stands for it.
    /// </summary>
    private void BindSource(Socket socket)
    {
        if (_options.SourceAddress is { } source && source.AddressFamily == socket.AddressFamily)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }
    }

    /// <summary><c>max_age</c>: a connection this old is closed even while busy, so a scaled-out service behind one
    /// address gets its share of new connections (CoreDNS 1.14.2).</summary>
    private bool TooOld(long opened, long now) => _options.MaxAge > TimeSpan.Zero && Stopwatch.GetElapsedTime(opened, now) >= _options.MaxAge;

    private void ReturnConnection(Stream stream, long opened)
    {
        long now = Stopwatch.GetTimestamp();
        if (_stopping.IsCancellationRequested || (_options.MaxIdleConnections > 0 && _idle.Count >= _options.MaxIdleConnections)
            || _options.Expire <= TimeSpan.Zero || TooOld(opened, now))
        {
            stream.Dispose();
            return;
        }
        _idle.Enqueue(new IdleConnection(stream, now, opened));
    }

    private async Task ProbeUntilHealthyAsync()
    {
        try
        {
            var probe = BuildProbe();
            int length = probe.Length - 2;
            var reply = new byte[DnsQueryContextSize];
            int questionEnd = probe.Length - 2;
            bool tcp = Address.Encrypted || _options.ForceTcp;
            while (!_stopping.IsCancellationRequested)
            {
                RandomNumberGenerator.Fill(probe.AsSpan(2, 2));
                // Any reply, whatever its RCODE, shows the upstream is there.
                if (await ExchangeAsync(probe, length, questionEnd, reply, tcp, _options.ReadTimeout).ConfigureAwait(false) > 0)
                {
                    ReportSuccess();
                    LogHealthy(_logger, Address.ToString());
                    return;
                }
                Metrics?.HealthcheckFailed();
                await Task.Delay(_options.HealthCheckInterval, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    private const int DnsQueryContextSize = 65535;

    /// <summary>The health probe: <c>HEALTH_DOMAIN IN NS</c>, RD unless <c>no_rec</c>, framed for TCP.</summary>
    private byte[] BuildProbe()
    {
        var name = _options.HealthCheckDomain.Wire;
        var framed = new byte[2 + DnsHeader.Size + name.Length + 4];
        var message = framed.AsSpan(2);
        var header = new DnsHeader { QuestionCount = 1, RecursionDesired = _options.HealthCheckRecursionDesired };
        header.TryWrite(message);
        name.CopyTo(message[DnsHeader.Size..]);
        BinaryPrimitives.WriteUInt16BigEndian(message[(DnsHeader.Size + name.Length)..], (ushort)RecordType.NS);
        BinaryPrimitives.WriteUInt16BigEndian(message[(DnsHeader.Size + name.Length + 2)..], (ushort)RecordClass.IN);
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        return framed;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _doh?.Dispose();
        _tls?.Close();
        while (_idle.TryDequeue(out var idle))
        {
            await idle.Stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private readonly record struct IdleConnection(Stream Stream, long Since, long Opened);

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Upstream {Upstream} marked down after {Fails} failures in a row; probing it")]
    private static partial void LogMarkedDown(ILogger logger, string upstream, int fails);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Upstream {Upstream} answers again")]
    private static partial void LogHealthy(ILogger logger, string upstream);

    [LoggerMessage(EventId = 502, Level = LogLevel.Debug, Message = "Upstream {Upstream} did not answer in time over {Protocol}")]
    private static partial void LogTimeout(ILogger logger, string upstream, string protocol);

    [LoggerMessage(EventId = 503, Level = LogLevel.Debug, Message = "Upstream {Upstream} failed over {Protocol}: {Reason}")]
    private static partial void LogExchangeFailed(ILogger logger, string upstream, string protocol, string reason);
}
