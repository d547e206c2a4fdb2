using System.Text.Json;

namespace ClusterDns.Kubernetes.Api;

/// <summary>One line of a watch stream; the document is owned by the reader and valid until the next line.</summary>
internal readonly record struct WatchEvent(string Type, JsonElement Object);
