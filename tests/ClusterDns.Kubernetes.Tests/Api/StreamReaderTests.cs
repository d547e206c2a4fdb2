using System.Text;
using System.Text.Json;
using ClusterDns.Kubernetes.Api;

namespace ClusterDns.Kubernetes.Tests.Api;

public sealed class StreamReaderTests
{
    /// <summary>Hands out at most <paramref name="chunk"/> bytes per read, as a slow chunked response does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], ct);
    }

    private static string List(int items, int padding) =>
        "{\"kind\":\"ServiceList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"77\",\"continue\":\"next\"},\"items\":["
        + string.Join(",", Enumerable.Range(0, items).Select(i => $"{{\"metadata\":{{\"name\":\"s{i}\"}},\"pad\":\"{new string('x', padding)}\"}}"))
        + "],\"extra\":{\"nested\":[1,2,{\"a\":null}]}}";

    [Theory]
    [InlineData(1, 3, 10)]          // one byte at a time
    [InlineData(7, 50, 10)]
    [InlineData(65536, 4, 200_000)] // items larger than the initial buffer
    public async Task ListItemsAreReadIncrementally(int chunk, int items, int padding)
    {
        var names = new List<string>();
        using var stream = new TrickleStream(Encoding.UTF8.GetBytes(List(items, padding)), chunk);

        var page = await ListResponseReader.ReadAsync(stream, item =>
        {
            names.Add(item.GetProperty("metadata").GetProperty("name").GetString()!);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, items).Select(i => $"s{i}"), names);
        Assert.Equal(new ListPage("77", "next"), page);
    }

    [Theory]
    [InlineData("\"remainingItemCount\":1499,", 1499L)]
    [InlineData("\"remainingItemCount\":0,", 0L)]
    [InlineData("", null)]
    [InlineData("\"remainingItemCount\":-3,", null)]
    [InlineData("\"remainingItemCount\":\"12\",", null)]
    public async Task RemainingItemCountIsReadWhenTheServerSendsAUsableOne(string field, long? expected)
    {
        var json = "{\"metadata\":{" + field + "\"resourceVersion\":\"5\",\"continue\":\"c\"},\"items\":[]}";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));

        var page = await ListResponseReader.ReadAsync(stream, _ => ValueTask.CompletedTask, CancellationToken.None);

        Assert.Equal(new ListPage("5", "c", expected), page);
    }

    [Theory]
    [InlineData("{\"items\":[{\"a\":1}")]
    [InlineData("")]
    public async Task TruncatedListIsAnError(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));

        var error = await Record.ExceptionAsync(() => ListResponseReader.ReadAsync(stream, _ => ValueTask.CompletedTask, CancellationToken.None));

        // Both are what the informer treats as a broken response: retry with backoff.
        Assert.True(error is JsonException or InvalidDataException, error?.ToString());
    }

    [Fact]
    public async Task MalformedListIsAJsonError()
    {
        using var stream = new MemoryStream("{\"items\":[{\"a\":}]}"u8.ToArray());

        await Assert.ThrowsAnyAsync<JsonException>(() => ListResponseReader.ReadAsync(stream, _ => ValueTask.CompletedTask, CancellationToken.None));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4096)]
    public async Task WatchEventsAreSplitOnLines(int chunk)
    {
        var text = "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n\r\n"
            + "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"9\"}}}\n"
            + "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}"; // The last line has no newline.
        var types = new List<string>();
        using var stream = new TrickleStream(Encoding.UTF8.GetBytes(text), chunk);

        await WatchStreamReader.ReadAsync(stream, e =>
        {
            types.Add(e.Type);
            return ValueTask.CompletedTask;
        }, () => { }, CancellationToken.None);

        Assert.Equal(["ADDED", "BOOKMARK", "DELETED"], types);
    }

    [Theory]
    [InlineData("{\"type\":\"ADDED\"}\n")]
    [InlineData("[1,2]\n")]
    public async Task WatchLinesWithoutTypeOrObjectAreErrors(string text)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));

        await Assert.ThrowsAsync<InvalidDataException>(() => WatchStreamReader.ReadAsync(stream, _ => ValueTask.CompletedTask, () => { }, CancellationToken.None));
    }
}
