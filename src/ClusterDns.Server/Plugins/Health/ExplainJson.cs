using System.Globalization;
using System.Text.Json;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Health;

/// <summary>The JSON document of <see cref="ExplainEndpoint"/>; its fields are documented in docs/operations.md.</summary>
internal static class ExplainJson
{
    public static void Write(Utf8JsonWriter json, DnsName name, RecordType type, DnsMessage? response, List<AnswerExplanation> explanations, DateTimeOffset now)
    {
        json.WriteStartObject();
        json.WriteString("name", name.ToString());
        json.WriteString("type", RecordTypeNames.ToText(type));
        json.WriteString("at", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        json.WritePropertyName("answer");
        if (response is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteStartObject();
            json.WriteString("rcode", RecordTypeNames.ToText(response.Rcode));
            json.WriteBoolean("authoritative", response.Header.AuthoritativeAnswer);
            WriteRecords(json, "answer", response.Answers);
            WriteRecords(json, "authority", response.Authority);
            json.WriteEndObject();
        }
        json.WriteStartArray("sources");
        foreach (var explanation in explanations)
        {
            json.WriteStartObject();
            json.WriteString("plugin", explanation.Source);
            json.WriteString("zone", explanation.Zone);
            json.WriteNumber("serial", explanation.Serial);
            json.WriteBoolean("synced", explanation.Synced);
            json.WriteStartArray("objects");
            foreach (var obj in explanation.Objects)
            {
                json.WriteStartObject();
                json.WriteString("kind", obj.Kind);
                json.WriteString("key", obj.Key);
                json.WriteString("role", obj.Role);
                json.WriteString("resourceVersion", obj.ResourceVersion);
                if (obj.ReceivedAt is { } received)
                {
                    json.WriteString("receivedAt", received.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                    json.WriteNumber("ageSeconds", Math.Round((now - received).TotalSeconds, 3));
                }
                else
                {
                    json.WriteNull("receivedAt");
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("notes");
            foreach (var note in explanation.Notes)
            {
                json.WriteStringValue(note);
            }
            json.WriteEndArray();
            json.WriteStartArray("watches");
            foreach (var watch in explanation.Freshness)
            {
                json.WriteStartObject();
                json.WriteString("kind", watch.Kind);
                if (watch.Open is { } open)
                {
                    json.WriteBoolean("open", open);
                }
                if (watch.LastEventAge is { } age)
                {
                    json.WriteNumber("lastEventAgeSeconds", Math.Round(age.TotalSeconds, 3));
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRecords(Utf8JsonWriter json, string section, List<DnsRecord> records)
    {
        json.WriteStartArray(section);
        foreach (var record in records)
        {
            json.WriteStringValue(record.ToString());
        }
        json.WriteEndArray();
    }
}
