using System.Text.Json;

namespace ClusterDns.Kubernetes.Api;

/// <summary>
/// Reads a watch response: one JSON event per line, handed over as soon as its line is complete
/// (the server flushes each event; waiting for a full buffer would delay changes).
/// </summary>
internal static class WatchStreamReader
{
    public static async Task ReadAsync(Stream stream, Func<WatchEvent, ValueTask> onEvent, Action onBytes, CancellationToken ct)
    {
        using var buffer = new StreamingBuffer();
        while (true)
        {
            await buffer.ReadMoreAsync(stream, ct).ConfigureAwait(false);
            onBytes();
            while (true)
            {
                var newline = buffer.Data.IndexOf((byte)'\n');
                var line = newline >= 0 ? buffer.DataMemory[..newline] : buffer.EndOfStream ? buffer.DataMemory : default;
                if (newline < 0 && (!buffer.EndOfStream || line.IsEmpty)) break;

                buffer.Consume(newline >= 0 ? newline + 1 : line.Length);
                if (line.Span.Trim(" \t\r"u8).IsEmpty) continue;
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                var type = Conversion.JsonFields.GetString(root, "type");
                if (type is null || Conversion.JsonFields.Get(root, "object") is not { } obj)
                {
                    throw new InvalidDataException("a watch event without type or object");
                }

                await onEvent(new WatchEvent(type, obj)).ConfigureAwait(false);
            }

            if (buffer.EndOfStream) return;
        }
    }
}
