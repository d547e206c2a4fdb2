using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClusterDns.Kubernetes.Conversion;
using Microsoft.Extensions.Logging;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ClusterDns.Kubernetes.Manifests;

/// <summary>
/// Reads one manifest file: multi-document YAML, JSON, and List objects. A bad document becomes an error
/// naming the file, the (1-based) document and the line, and the other documents still load.
/// </summary>
internal static partial class ManifestFileReader
{
    public static bool IsManifestFile(string path)
    {
        var ext = Path.GetExtension(path);
        return ext.Equals(".yaml", StringComparison.OrdinalIgnoreCase)
            || ext.Equals(".yml", StringComparison.OrdinalIgnoreCase)
            || ext.Equals(".json", StringComparison.OrdinalIgnoreCase);
    }

    public static void ReadFile(string path, List<ManifestEntry> entries, List<string> errors, ILogger logger)
    {
        var fileName = Path.GetFileName(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{fileName}: cannot read: {ex.Message}");
            return;
        }

        if (Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            ReadJson(fileName, text, entries, errors, logger);
        }
        else
        {
            ReadYaml(fileName, text, entries, errors, logger);
        }
    }

    private static void ReadJson(string fileName, string text, List<ManifestEntry> entries, List<string> errors, ILogger logger)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            ReadDocument($"{fileName} document 1", document.RootElement, entries, errors, logger);
        }
        catch (JsonException ex)
        {
            errors.Add($"{fileName} document 1 line {(ex.LineNumber ?? 0) + 1}: invalid JSON: {FirstSentence(ex.Message)}");
        }
    }

    private static void ReadYaml(string fileName, string text, List<ManifestEntry> entries, List<string> errors, ILogger logger)
    {
        // Documents are split on their "---" markers first, so a syntax error spoils only its own document.
        var index = 0;
        foreach (var (chunk, firstLine) in SplitDocuments(text))
        {
            index++;
            var where = $"{fileName} document {index}";
            YamlNode? root;
            try
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(chunk));
                root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
            }
            catch (YamlException ex)
            {
                // An unclosed construct is noticed at the end of input; point at the document's last line, not past it.
                var line = firstLine + Math.Min((int)ex.Start.Line, chunk.Count(c => c == '\n')) - 1;
                errors.Add($"{where} line {line}: invalid YAML: {FirstSentence(ex.InnerException?.Message ?? ex.Message)}");
                continue;
            }

            if (root is null) continue;
            var buffer = new ArrayBufferWriter<byte>();
            try
            {
                using var writer = new Utf8JsonWriter(buffer);
                YamlToJson.Write(root, writer);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                // Utf8JsonWriter refuses what JSON cannot hold (e.g. nesting deeper than 64 levels).
                errors.Add($"{where} line {firstLine}: cannot convert: {FirstSentence(ex.Message)}");
                continue;
            }

            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            ReadDocument($"{where} (line {firstLine})", document.RootElement, entries, errors, logger);
        }
    }

    /// <summary>Splits on lines that are a document marker; returns non-blank chunks with their first line number.</summary>
    internal static IEnumerable<(string Chunk, int FirstLine)> SplitDocuments(string text)
    {
        var lines = text.Split('\n');
        var builder = new StringBuilder();
        var start = 1;
        var hasContent = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var isStart = line == "---" || line.StartsWith("--- ", StringComparison.Ordinal) || line.StartsWith("---\t", StringComparison.Ordinal);
            var isEnd = line == "..." || line.StartsWith("... ", StringComparison.Ordinal);
            if (isStart || isEnd)
            {
                if (hasContent) yield return (builder.ToString(), start);
                builder.Clear();
                hasContent = false;
                start = i + 1;
                if (isStart && line.Length > 3)
                {
                    // "--- value" puts content on the marker line itself.
                    builder.Append(line, 4, line.Length - 4).Append('\n');
                    hasContent = line.AsSpan(4).Trim().Length > 0 && line.AsSpan(4).TrimStart()[0] != '#';
                }
                else
                {
                    start = i + 2;
                }

                continue;
            }

            if (!hasContent && builder.Length == 0)
            {
                start = i + 1;
            }

            builder.Append(line).Append('\n');
            var trimmed = line.AsSpan().Trim();
            if (trimmed.Length > 0 && trimmed[0] != '#' && trimmed[0] != '%') hasContent = true;
        }

        if (hasContent) yield return (builder.ToString(), start);
    }

    private static void ReadDocument(string where, JsonElement root, List<ManifestEntry> entries, List<string> errors, ILogger logger)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{where}: not an object");
            return;
        }

        var kind = JsonFields.GetString(root, "kind");
        var apiVersion = JsonFields.GetString(root, "apiVersion");
        if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && JsonFields.HasArray(root, "items"))
        {
            // "kind: List" items carry their own kind; typed lists (ServiceList) lend it to items that lack one.
            var itemKind = kind == "List" ? null : kind[..^4];
            var item = 0;
            foreach (var element in JsonFields.Array(root, "items"))
            {
                item++;
                ReadObject($"{where} item {item}", element, itemKind, apiVersion, entries, errors, logger);
            }

            return;
        }

        ReadObject(where, root, null, null, entries, errors, logger);
    }

    private static void ReadObject(string where, JsonElement obj, string? defaultKind, string? defaultApiVersion,
        List<ManifestEntry> entries, List<string> errors, ILogger logger)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{where}: not an object");
            return;
        }

        var kind = JsonFields.GetString(obj, "kind") ?? defaultKind;
        var apiVersion = JsonFields.GetString(obj, "apiVersion") ?? defaultApiVersion;
        if (kind is null || apiVersion is null)
        {
            errors.Add($"{where}: apiVersion and kind are required");
            return;
        }

        if (ObjectConverter.Classify(apiVersion, kind) is not { } type)
        {
            LogIgnoredKind(logger, where, apiVersion, kind);
            return;
        }

        if (!ObjectConverter.TryConvert(type, obj, out var converted, out var error))
        {
            errors.Add($"{where}: {error}");
            return;
        }

        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(obj.GetRawText())));
        entries.Add(new ManifestEntry(converted.Kind, converted.Key, fingerprint, converted.Object));
    }

    private static string FirstSentence(string message)
    {
        var newline = message.IndexOf('\n');
        return (newline >= 0 ? message[..newline] : message).Trim();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Where}: ignoring {ApiVersion} {Kind}")]
    private static partial void LogIgnoredKind(ILogger logger, string where, string apiVersion, string kind);
}
