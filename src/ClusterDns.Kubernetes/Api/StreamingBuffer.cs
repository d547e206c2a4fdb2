using System.Buffers;

namespace ClusterDns.Kubernetes.Api;

/// <summary>
/// A growable window over a response stream: holds only the bytes not yet parsed, so memory is bounded
/// by the largest single object, not the response. Grows to <see cref="MaxSize"/>, then gives up.
/// </summary>
internal sealed class StreamingBuffer : IDisposable
{
    public const int InitialSize = 64 * 1024;
    public const int MaxSize = 64 * 1024 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _start;
    private int _end;

    public bool EndOfStream { get; private set; }

    public ReadOnlySpan<byte> Data => _buffer.AsSpan(_start, _end - _start);

    public ReadOnlyMemory<byte> DataMemory => _buffer.AsMemory(_start, _end - _start);

    public void Consume(int count) => _start += count;

    /// <summary>Reads whatever the stream has next (at least one byte unless at its end).</summary>
    public async ValueTask ReadMoreAsync(Stream stream, CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxSize) throw new InvalidDataException($"a single object in the response exceeds {MaxSize / (1024 * 1024)} MiB");
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        if (read == 0) EndOfStream = true;
        _end += read;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
