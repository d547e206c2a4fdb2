using System.Globalization;
using System.Text.Json;

namespace ClusterDns.Kubernetes.Conversion;

/// <summary>Lenient field access over a JsonElement: missing or mistyped fields read as absent.</summary>
internal static class JsonFields
{
    public static JsonElement? Get(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static JsonElement? Get(JsonElement element, string name1, string name2) =>
        Get(element, name1) is { } inner ? Get(inner, name2) : null;

    /// <summary>A scalar as text; numbers and booleans are accepted as their literal (YAML leaves them unquoted).</summary>
    public static string? GetString(JsonElement element, string name) => Get(element, name) is { } v ? ScalarText(v) : null;

    public static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    public static bool? GetBool(JsonElement element, string name) => Get(element, name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out var b) => b,
        _ => null,
    };

    /// <summary>An integer field; a numeric string is accepted. Null when absent or not an integer.</summary>
    public static long? GetInteger(JsonElement element, string name) => Get(element, name) switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var i) => i,
        { ValueKind: JsonValueKind.String } s when long.TryParse(s.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var i) => i,
        _ => null,
    };

    public static JsonElement.ArrayEnumerator Array(JsonElement element, string name) =>
        Get(element, name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : default;

    public static bool HasArray(JsonElement element, string name) => Get(element, name) is { ValueKind: JsonValueKind.Array };
}
