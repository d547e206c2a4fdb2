using System.Text.Json;

namespace ClusterDns.Kubernetes.Api;

/// <summary>
/// Reads a Kubernetes list response ({"metadata":{…},"items":[…]}) from a stream item by item with
/// Utf8JsonReader, so a page of 500 objects is never held whole: each item is parsed, handed over, dropped.
/// </summary>
internal static class ListResponseReader
{
    private enum Phase { Start, InObject, InItems, Done }

    private struct State
    {
        public Phase Phase;
        public JsonReaderState Reader;
        public string? ResourceVersion;
        public string? Continue;
        public long? RemainingItemCount;
        public bool MetadataRead;
    }

    /// <param name="onMetadata">
    /// Called once with the page's metadata as soon as it is read, before the items that follow it are handed over
    /// (the API server writes metadata first): the informer asks for the next page while it works through this one.
    /// </param>
    public static async Task<ListPage> ReadAsync(Stream stream, Func<JsonElement, ValueTask> onItem, CancellationToken ct, Action<ListPage>? onMetadata = null)
    {
        bool metadataNotified = false;
        using var buffer = new StreamingBuffer();
        var state = new State { Reader = new JsonReaderState(new JsonReaderOptions { MaxDepth = 256 }) };
        var items = new List<JsonDocument>();
        while (true)
        {
            await buffer.ReadMoreAsync(stream, ct).ConfigureAwait(false);
            try
            {
                buffer.Consume(Advance(buffer.Data, buffer.EndOfStream, ref state, items));
                if (state.MetadataRead && !metadataNotified)
                {
                    metadataNotified = true;
                    onMetadata?.Invoke(new ListPage(state.ResourceVersion, state.Continue, state.RemainingItemCount));
                }
                foreach (var item in items) await onItem(item.RootElement).ConfigureAwait(false);
            }
            finally
            {
                foreach (var item in items) item.Dispose();
                items.Clear();
            }

            if (state.Phase == Phase.Done) return new ListPage(state.ResourceVersion, state.Continue, state.RemainingItemCount);
            if (buffer.EndOfStream) throw new InvalidDataException("the list response ended early");
        }
    }

    /// <summary>Parses as far as the data allows; returns the bytes consumed. Incomplete values wait for more data.</summary>
    private static int Advance(ReadOnlySpan<byte> data, bool isFinalBlock, ref State state, List<JsonDocument> items)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock, state.Reader);
        while (state.Phase != Phase.Done)
        {
            var checkpoint = reader;
            if (!Step(ref reader, ref state, items))
            {
                reader = checkpoint;
                break;
            }
        }

        state.Reader = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    /// <summary>One token or one whole value; false when the data ends inside it.</summary>
    private static bool Step(ref Utf8JsonReader reader, ref State state, List<JsonDocument> items)
    {
        if (!reader.Read()) return false;
        switch (state.Phase)
        {
            case Phase.Start:
                if (reader.TokenType != JsonTokenType.StartObject) throw new InvalidDataException("a list response must be a JSON object");
                state.Phase = Phase.InObject;
                return true;

            case Phase.InObject:
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    state.Phase = Phase.Done;
                    return true;
                }

                var name = reader.GetString();
                if (!reader.Read()) return false;
                if (name == "metadata" && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (!JsonDocument.TryParseValue(ref reader, out var metadata)) return false;
                    using (metadata)
                    {
                        state.ResourceVersion = Conversion.JsonFields.GetString(metadata.RootElement, "resourceVersion");
                        state.Continue = Conversion.JsonFields.GetString(metadata.RootElement, "continue") is { Length: > 0 } c ? c : null;
                        state.RemainingItemCount = metadata.RootElement.TryGetProperty("remainingItemCount", out var remaining)
                            && remaining.ValueKind == JsonValueKind.Number && remaining.TryGetInt64(out var count) && count >= 0 ? count : null;
                        state.MetadataRead = true;
                    }

                    return true;
                }

                if (name == "items" && reader.TokenType == JsonTokenType.StartArray)
                {
                    state.Phase = Phase.InItems;
                    return true;
                }

                return reader.TrySkip();

            default:
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    state.Phase = Phase.InObject;
                    return true;
                }

                if (!JsonDocument.TryParseValue(ref reader, out var item)) return false;
                items.Add(item);
                return true;
        }
    }
}
