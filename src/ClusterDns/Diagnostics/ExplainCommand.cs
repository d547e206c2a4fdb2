using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ClusterDns.Diagnostics;

/// <summary>
/// <c>clusterdns explain NAME [TYPE] [--server URL] [--json]</c>: asks a running server's health port
/// (<c>/explain</c>) which objects its answer for NAME comes from, and prints the answer, the objects with their
/// resourceVersions and arrival times, and how fresh each watch is. Exit codes: 0 explained, 1 the server could
/// not be asked or refused, 2 bad arguments.
/// </summary>
internal static class ExplainCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static Command Build()
    {
        var name = new Argument<string>("name") { Description = "The name to explain, e.g. web.default.svc.cluster.local" };
        var type = new Argument<string>("type") { Description = "The record type (default A)", DefaultValueFactory = _ => "A" };
        var server = new Option<string>("--server")
        {
            Description = "The health endpoint's base URL (the health plugin's address; default http://127.0.0.1:8080)",
            DefaultValueFactory = _ => "http://127.0.0.1:8080",
        };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON document as it is" };
        var command = new Command("explain", "Say which Kubernetes objects a running server's answer comes from") { name, type, server, json };
        command.SetAction(result => Run(
            result.GetRequiredValue(name), result.GetRequiredValue(type), result.GetRequiredValue(server), result.GetValue(json),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    internal static int Run(string name, string type, string server, bool raw, TextWriter output, TextWriter error)
    {
        if (!Uri.TryCreate(server.Contains("://", StringComparison.Ordinal) ? server : "http://" + server, UriKind.Absolute, out var baseUri)
            || baseUri.Scheme is not ("http" or "https"))
        {
            error.WriteLine($"--server: '{server}' is not an http(s) URL");
            return 2;
        }
        var uri = new Uri(baseUri, $"/explain?name={Uri.EscapeDataString(name)}&type={Uri.EscapeDataString(type)}");
        string body;
        try
        {
            using var client = new HttpClient { Timeout = Timeout };
            client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = client.GetAsync(uri).GetAwaiter().GetResult();
            body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"{uri}: {(int)response.StatusCode} {body.Trim()}");
                return (int)response.StatusCode == 400 ? 2 : 1;
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            error.WriteLine($"{uri}: {exception.Message} (is the server running, with 'health' on that address?)");
            return 1;
        }
        if (raw)
        {
            output.WriteLine(body);
            return 0;
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            output.Write(Render(document.RootElement));
            return 0;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            error.WriteLine($"{uri}: the reply is not an explain document ({exception.Message})");
            return 1;
        }
    }

    /// <summary>The document as text: the answer as dig shows records, then each source's objects.</summary>
    internal static string Render(JsonElement root)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{root.GetProperty("name").GetString()} {root.GetProperty("type").GetString()}\n");
        if (root.GetProperty("answer") is { ValueKind: JsonValueKind.Object } answer)
        {
            text.Append(CultureInfo.InvariantCulture, $"answer: {answer.GetProperty("rcode").GetString()}{(answer.GetProperty("authoritative").GetBoolean() ? " (authoritative)" : "")}\n");
            foreach (var section in new[] { "answer", "authority" })
            {
                foreach (var record in answer.GetProperty(section).EnumerateArray())
                {
                    text.Append("  ").Append(section == "authority" ? "authority: " : "").Append(record.GetString()).Append('\n');
                }
            }
        }
        else
        {
            text.Append("answer: none (the health block has no DNS pipeline)\n");
        }
        var sources = root.GetProperty("sources");
        if (sources.GetArrayLength() == 0)
        {
            text.Append("from: no cluster zone holds this name (answered by the other plugins: forward, cache, file, hosts…)\n");
        }
        foreach (var source in sources.EnumerateArray())
        {
            text.Append(CultureInfo.InvariantCulture,
                $"from: {source.GetProperty("plugin").GetString()}, zone {source.GetProperty("zone").GetString()}, serial {source.GetProperty("serial").GetUInt32()}{(source.GetProperty("synced").GetBoolean() ? "" : " (not synced yet)")}\n");
            foreach (var obj in source.GetProperty("objects").EnumerateArray())
            {
                var version = obj.GetProperty("resourceVersion").GetString() ?? "-";
                var received = obj.TryGetProperty("ageSeconds", out var age)
                    ? $"received {obj.GetProperty("receivedAt").GetString()} ({age.GetDouble().ToString("0.###", CultureInfo.InvariantCulture)} s ago)"
                    : "received: unknown";
                text.Append(CultureInfo.InvariantCulture,
                    $"  {obj.GetProperty("kind").GetString()} {obj.GetProperty("key").GetString()}  resourceVersion {version}  {received}\n    {obj.GetProperty("role").GetString()}\n");
            }
            foreach (var note in source.GetProperty("notes").EnumerateArray())
            {
                text.Append("  note: ").Append(note.GetString()).Append('\n');
            }
            foreach (var watch in source.GetProperty("watches").EnumerateArray())
            {
                text.Append("  watch ").Append(watch.GetProperty("kind").GetString());
                if (watch.TryGetProperty("open", out var open))
                {
                    text.Append(open.GetBoolean() ? ": open" : ": DOWN");
                }
                if (watch.TryGetProperty("lastEventAgeSeconds", out var eventAge))
                {
                    text.Append(CultureInfo.InvariantCulture, $", last event or bookmark {eventAge.GetDouble():0.#} s ago");
                }
                if (!watch.TryGetProperty("open", out _))
                {
                    text.Append(": no watch (manifests)");
                }
                text.Append('\n');
            }
        }
        return text.ToString();
    }
}
