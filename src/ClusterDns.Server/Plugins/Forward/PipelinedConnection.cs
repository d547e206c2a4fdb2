using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// One TLS connection to an upstream carrying many queries at once (RFC 7766 section 6.2.1.1, RFC 7858 section
/// 3.3): writes are serialised, and a reader task hands each reply to the query waiting under its ID, in whatever
/// order the upstream answers. Any read or write failure closes the connection and fails every waiting query.
/// </summary>
internal sealed class PipelinedConnection
{
    private const int Waiting = 0;
    private const int Delivering = 1;
    private const int Abandoned = 2;

    private readonly Stream _stream;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<ushort, Waiter> _waiting = new();
    private long _replies;
    private long _lastUsed;
    private int _closed;
    private int _retiring;

    public PipelinedConnection(Stream stream, long opened)
    {
        _stream = stream;
        Opened = opened;
        _lastUsed = opened;
        _ = Task.Run(ReadLoopAsync);
    }

    /// <summary>When it was opened (a <see cref="Stopwatch"/> timestamp).</summary>
    public long Opened { get; }

    /// <summary>When a query last finished on it (a <see cref="Stopwatch"/> timestamp).</summary>
    public long LastUsed => Interlocked.Read(ref _lastUsed);

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    public int InFlight => _waiting.Count;

    /// <summary>
    /// Sends <paramref name="framedQuery"/> (its ID may be changed if another query in flight here has it) and waits
    /// for the reply, copied into <paramref name="reply"/>; returns its length. A closed connection throws <see cref="IOException"/>.
    /// </summary>
    public async ValueTask<int> ExchangeAsync(Memory<byte> framedQuery, int questionEnd, byte[] reply, CancellationToken cancellation)
    {
        var waiter = new Waiter(framedQuery[2..], questionEnd, reply);
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(framedQuery.Span[2..]);
        while (!_waiting.TryAdd(id, waiter))
        {
            // Another query in flight here has this ID: take a fresh random one.
            RandomNumberGenerator.Fill(framedQuery.Span.Slice(2, 2));
            id = BinaryPrimitives.ReadUInt16BigEndian(framedQuery.Span[2..]);
        }
        long repliesBefore = Interlocked.Read(ref _replies);
        try
        {
            if (IsClosed)
            {
                throw new IOException("the connection is closed");
            }
            await WriteAsync(framedQuery, cancellation).ConfigureAwait(false);
            try
            {
                return await waiter.Completion.Task.WaitAsync(cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (Interlocked.CompareExchange(ref waiter.State, Abandoned, Waiting) == Delivering)
            {
                // The reader took our reply just as the deadline passed and is copying it: use it.
                return await waiter.Completion.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (Interlocked.Read(ref _replies) == repliesBefore)
            {
                // Nothing at all came back on this connection while we waited: it is stalled; give it up.
                Close();
                throw;
            }
        }
        finally
        {
            _waiting.TryRemove(new KeyValuePair<ushort, Waiter>(id, waiter));
            Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
            if (Volatile.Read(ref _retiring) != 0 && _waiting.IsEmpty)
            {
                Close();
            }
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> framedQuery, CancellationToken cancellation)
    {
        await _writing.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(framedQuery, cancellation).ConfigureAwait(false);
        }
        catch
        {
            // A write cut short leaves half a frame on the stream: nothing after it can be read right.
            Close();
            throw;
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var length = new byte[2];
        var message = new byte[ushort.MaxValue];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(length).ConfigureAwait(false);
                int size = BinaryPrimitives.ReadUInt16BigEndian(length);
                await _stream.ReadExactlyAsync(message.AsMemory(0, size)).ConfigureAwait(false);
                Interlocked.Increment(ref _replies);
                if (size < 2 || !_waiting.TryGetValue(BinaryPrimitives.ReadUInt16BigEndian(message), out var waiter)
                    || !ReplyMatcher.Matches(message.AsSpan(0, size), waiter.Query.Span, waiter.QuestionEnd))
                {
                    // For a query that gave up, or not an answer to ours: ignored.
                    continue;
                }
                if (Interlocked.CompareExchange(ref waiter.State, Delivering, Waiting) == Waiting)
                {
                    message.AsSpan(0, size).CopyTo(waiter.Reply);
                    waiter.Completion.TrySetResult(size);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException
            or AuthenticationException or OperationCanceledException or InvalidOperationException)
        {
            // The upstream closed, reset or broke the connection, or we closed it.
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Closes the connection once the queries in flight on it are done (<c>max_age</c>).</summary>
    public void Retire()
    {
        Volatile.Write(ref _retiring, 1);
        if (_waiting.IsEmpty)
        {
            Close();
        }
    }

    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        _stream.Dispose();
        foreach (var waiter in _waiting.Values)
        {
            if (Interlocked.CompareExchange(ref waiter.State, Delivering, Waiting) == Waiting)
            {
                waiter.Completion.TrySetException(new IOException("the connection closed"));
            }
        }
    }

    private sealed class Waiter(ReadOnlyMemory<byte> query, int questionEnd, byte[] reply)
    {
        public readonly TaskCompletionSource<int> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly ReadOnlyMemory<byte> Query = query;
        public readonly int QuestionEnd = questionEnd;
        public readonly byte[] Reply = reply;
        public int State;
    }
}
