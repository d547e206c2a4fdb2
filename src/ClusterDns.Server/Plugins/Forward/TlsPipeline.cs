using System.Diagnostics;
using System.Net.Sockets;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// The connection of one <c>tls://</c> upstream: a single <see cref="PipelinedConnection"/> that every query
/// shares, so the TLS handshake is paid once, not once per concurrent query. It is opened on first use (queries
/// arriving meanwhile wait for the same handshake) and replaced when it closes, sat idle for
/// <see cref="ForwardOptions.Expire"/>, or reached <see cref="ForwardOptions.MaxAge"/> (then closed once its
/// queries in flight are done).
/// </summary>
internal sealed class TlsPipeline
{
    private readonly ForwardOptions _options;
    private readonly Func<CancellationToken, ValueTask<Stream>> _open;
    private readonly SemaphoreSlim _opening = new(1, 1);
    private PipelinedConnection? _current;
    private long _reuses;

    /// <param name="open">Connects and completes the TLS handshake (and counts the connection).</param>
    public TlsPipeline(ForwardOptions options, Func<CancellationToken, ValueTask<Stream>> open)
    {
        _options = options;
        _open = open;
    }

    /// <summary>Exchanges that found the connection open (coredns_proxy_conn_cache_hits_total).</summary>
    public long Reuses => Interlocked.Read(ref _reuses);

    public async ValueTask<int> ExchangeAsync(Memory<byte> framedQuery, int questionEnd, byte[] reply, CancellationToken cancellation)
    {
        while (true)
        {
            var (connection, reused) = await GetAsync(cancellation).ConfigureAwait(false);
            try
            {
                return await connection.ExchangeAsync(framedQuery, questionEnd, reply, cancellation).ConfigureAwait(false);
            }
            catch (Exception exception) when (reused && !cancellation.IsCancellationRequested
                && exception is IOException or SocketException or ObjectDisposedException)
            {
                // The upstream closed a kept connection while it sat idle: again on a fresh one (a fresh one is not retried).
            }
        }
    }

    private async ValueTask<(PipelinedConnection Connection, bool Reused)> GetAsync(CancellationToken cancellation)
    {
        var current = Volatile.Read(ref _current);
        if (Usable(current))
        {
            Interlocked.Increment(ref _reuses);
            return (current!, true);
        }
        await _opening.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            current = _current;
            if (Usable(current))
            {
                Interlocked.Increment(ref _reuses);
                return (current!, true);
            }
            current?.Retire();
            var opened = new PipelinedConnection(await _open(cancellation).ConfigureAwait(false), Stopwatch.GetTimestamp());
            Volatile.Write(ref _current, opened);
            return (opened, false);
        }
        finally
        {
            _opening.Release();
        }
    }

    private bool Usable(PipelinedConnection? connection)
    {
        if (connection is null || connection.IsClosed)
        {
            return false;
        }
        long now = Stopwatch.GetTimestamp();
        if (_options.MaxAge > TimeSpan.Zero && Stopwatch.GetElapsedTime(connection.Opened, now) >= _options.MaxAge)
        {
            return false;
        }
        return connection.InFlight > 0 || Stopwatch.GetElapsedTime(connection.LastUsed, now) < _options.Expire;
    }

    public void Close() => Volatile.Read(ref _current)?.Close();
}
